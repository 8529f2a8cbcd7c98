import { defineConfig, devices } from "@playwright/test";

// The server under test: the debug build cargo-leptos made, on a fresh SQLite file with
// the demo data, on its own port so a running `scripts/run.sh` does not interfere.
const port = Number(process.env.PITLANE_E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const dbFile = `target/e2e/pitlane-e2e-${Date.now()}.db`;

// Debian's Chromium; Playwright's own browser downloads are not possible here.
const chromium = {
  executablePath: "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL,
    // A Chinese browser unless a test says otherwise.
    locale: "zh-CN",
    trace: "retain-on-failure",
    launchOptions: chromium,
  },
  // Every journey at a desktop size; the kiosk's at an iPad's, by touch; every route
  // (routes.spec) at all three, a phone included; a phone's first download (bundle.spec).
  projects: [
    { name: "desktop", use: { ...devices["Desktop Chrome"], launchOptions: chromium }, testIgnore: /kiosk|bundle/ },
    {
      name: "ipad",
      use: { ...devices["iPad (gen 7) landscape"], browserName: "chromium", launchOptions: chromium },
      testMatch: /kiosk|routes/,
    },
    {
      name: "phone",
      use: { ...devices["iPhone 13"], browserName: "chromium", launchOptions: chromium },
      testMatch: /routes|bundle/,
    },
  ],
  webServer: {
    // PITLANE_E2E_SERVER=target/release/server runs the same specs against a release build.
    command: `mkdir -p target/e2e && exec ${process.env.PITLANE_E2E_SERVER ?? "target/debug/server"} serve`,
    cwd: "..",
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      DATABASE_URL: `sqlite://${dbFile}`,
      PITLANE_ADDR: `127.0.0.1:${port}`,
      PITLANE_DEMO: "1",
      LEPTOS_SITE_ROOT: "target/site",
      LEPTOS_OUTPUT_NAME: "pitlane",
      // A release build made with hashed names links them (scripts/test.sh sets it).
      LEPTOS_HASH_FILES: process.env.LEPTOS_HASH_FILES ?? "false",
      RUST_LOG: "warn",
      // The browser tests act as many people from one address.
      PITLANE_SIGN_IN_BURST: "1000",
      PITLANE_SIGN_IN_ACCOUNT_BURST: "1000",
      PITLANE_SIGN_UP_BURST: "1000",
      PITLANE_PIN_PERSON_BURST: "1000",
      PITLANE_PIN_DEVICE_BURST: "1000",
      PITLANE_SSE_PER_ADDRESS: "100",
    },
  },
});
