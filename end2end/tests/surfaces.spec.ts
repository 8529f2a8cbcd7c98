import { test, expect } from "./fixtures";
import { HQ_ADMIN, open, openKiosk, signIn } from "./helpers";

const surfaces = [
  { path: "/", kind: "customer", zh: "车主服务", en: "Car owners" },
  { path: "/kiosk", kind: "kiosk", zh: "门店前台", en: "Store reception" },
  { path: "/hq", kind: "hq", zh: "总部控制台", en: "HQ console" },
];

for (const s of surfaces) {
  test(`${s.kind} surface loads, hydrates and shows the price list`, async ({ page }) => {
    await open(page, s.path);
    await expect(page.locator(`[data-surface="${s.kind}"]`)).toBeVisible();
    // HQ opens with staff sign-in; the kiosk, once paired with a store, with a PIN.
    if (s.kind === "hq") await signIn(page, HQ_ADMIN);
    if (s.kind === "kiosk") {
      await openKiosk(page);
      await page.locator('.main-nav a[href="/kiosk/prices"]').click();
    }
    await expect(page.locator(".surface-name")).toHaveText(s.zh);
    await expect(page.locator("h1")).toHaveText("服务价目表");
    expect(await page.locator("[data-service]").count()).toBeGreaterThan(10);
    await expect(page.locator("[data-live]")).toHaveAttribute("data-live", "on");
  });
}

test("Chinese is the default and the switch changes language and remembers it", async ({ page }) => {
  await open(page, "/");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(page.locator("h1")).toHaveText("服务价目表");

  await page.locator('.lang-switch button[data-lang="en"]').click();
  await expect(page.locator("h1")).toHaveText("Service price list");
  await expect(page.locator(".surface-name")).toHaveText("Car owners");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.locator('.lang-switch button[data-lang="en"]')).toHaveAttribute("aria-pressed", "true");

  // The choice survives a reload (cookie) and is rendered by the server.
  await open(page, "/hq");
  await expect(page.locator("h1")).toHaveText("Staff sign-in");
  await signIn(page, HQ_ADMIN);
  await expect(page.locator("h1")).toHaveText("Service price list");
  await expect(page.locator("th").first()).toHaveText("Service");

  await page.locator('.lang-switch button[data-lang="zh"]').click();
  await expect(page.locator("h1")).toHaveText("服务价目表");
  await expect(page.locator("th").first()).toHaveText("服务");
});

test.describe("an English browser", () => {
  test.use({ locale: "en-US" });
  test("gets English from Accept-Language", async ({ page }) => {
    await open(page, "/kiosk");
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.locator(".surface-name")).toHaveText("Store reception");
  });
});

test("an unknown page says so, translated, with a 404", async ({ page }) => {
  const res = await page.goto("/no-such-page");
  expect(res?.status()).toBe(404);
  await expect(page.locator("h1")).toHaveText("页面不存在");
});

test.describe("a browser in a language Pitlane does not have", () => {
  test.use({ locale: "fr-FR" });
  test("falls back to Chinese", async ({ page }) => {
    await open(page, "/");
    await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
    await expect(page.locator("h1")).toHaveText("服务价目表");
  });
});
