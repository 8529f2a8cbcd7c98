import { test, expect, expectAccessible } from "./fixtures";
import {
  ADVISOR,
  DEMO_PASSWORD,
  DEMO_PIN,
  HQ_ADMIN,
  MANAGER,
  api,
  firstServiceCode,
  open,
  openKiosk,
  pairingCode,
  priceOf,
  signIn,
  staffMember,
  unlockKiosk,
} from "./helpers";

// Runs in the "ipad" project: iPad viewport, touch events, as at the reception counter.

test("HQ pairs an iPad, staff unlock it with their PIN, it locks when idle, HQ revokes it", async ({
  page,
  browser,
}) => {
  const advisor = await staffMember(browser, ADVISOR);

  // HQ, at a desktop, makes a one-time code for the advisor's store.
  const hqContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: false });
  const hq = await hqContext.newPage();
  await open(hq, "/hq/devices");
  await signIn(hq, HQ_ADMIN);
  await hq.locator('.pairing-form select[name="store_id"]').selectOption(advisor.store);
  await hq.locator('.pairing-form input[name="device_name"]').fill("前台 1 号");
  await hq.locator('.pairing-form button[type="submit"]').click();
  const code = (await hq.locator(".pairing-code .code").textContent())!.trim();
  expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  await expectAccessible(hq, "/hq/devices with a code");

  // The iPad, with a clock the test can move, is not paired yet.
  await page.clock.install();
  await open(page, "/kiosk");
  await expect(page.locator(".pair-device")).toBeVisible();
  await expectAccessible(page, "/kiosk, not paired");
  const input = page.locator('.pair-device input[name="code"]');
  await input.tap();
  await input.fill(code.toLowerCase());
  await page.locator('.pair-device button[type="submit"]').tap();

  // Paired: the store's lock screen, every staff member a tile.
  await expect(page.locator(".lock-screen")).toBeVisible();
  await expect(page.locator(`.staff-tile[data-staff="${advisor.id}"]`)).toBeVisible();
  await expectAccessible(page, "/kiosk, locked");
  // Big enough for a finger, at this iPad's size.
  for (const target of [".pin-pad .digit", ".staff-tile", ".unlock-form button.unlock"]) {
    const box = await page.locator(target).first().boundingBox();
    expect(box!.height, target).toBeGreaterThanOrEqual(44);
    expect(box!.width, target).toBeGreaterThanOrEqual(44);
  }

  // A wrong PIN is refused, in Chinese, and unlocks nothing.
  await unlockKiosk(page, advisor.id, "135790");
  await expect(page.locator(".lock-screen [role=alert]")).toHaveText("PIN 不正确");
  await expect(page.locator(".kiosk-bar")).toHaveCount(0);

  // The right one unlocks the kiosk for the advisor.
  await unlockKiosk(page, advisor.id);
  await expect(page.locator('.kiosk-bar[data-unlocked="true"]')).toBeVisible();
  await expect(page.locator(".user-menu .role")).toHaveText("服务顾问");
  await page.locator('.main-nav a[href="/kiosk/prices"]').tap();
  const service = await firstServiceCode(page);
  await expect(priceOf(page, service)).toHaveText(/^¥[\d,]+\.\d{2}$/);
  await expectAccessible(page, "/kiosk, unlocked");

  // HQ's list shows the device, last unlocked just now.
  await hq.reload();
  await expect(hq.locator("html")).toHaveAttribute("data-hydrated", "true");
  const row = hq.locator(".device-list tbody tr").filter({ hasText: "前台 1 号" });
  await expect(row).toHaveAttribute("data-revoked", "false");
  await expect(row.locator("td").nth(3)).not.toHaveText("—");

  // Touched within the idle minutes, it stays unlocked; two idle minutes lock it.
  await page.clock.fastForward("01:30");
  await page.locator(".kiosk-bar .store-name").tap();
  await page.clock.fastForward("01:30");
  await expect(page.locator('.kiosk-bar[data-unlocked="true"]')).toBeVisible();
  await page.clock.fastForward("02:10");
  await expect(page.locator(".lock-screen")).toBeVisible();
  // The session is gone on the server too: a reload finds nobody signed in.
  await page.reload();
  await expect(page.locator(".lock-screen")).toBeVisible();
  await expect(page.locator(".sign-in-link")).toBeVisible();
  // The reloaded page opens its live stream after it has drawn; what was published
  // before it opened is not replayed to it, so HQ acts once it listens.
  await expect(page.locator("[data-live]")).toHaveAttribute("data-live", "on");

  // HQ revokes the device: the iPad is back to the pairing screen at once, live.
  await row.locator(".revoke button").click();
  await expect(row).toHaveAttribute("data-revoked", "true");
  await expect(page.locator(".pair-device")).toBeVisible();
  await hqContext.close();
});

test("a manager sets a colleague's PIN on the kiosk, and the old one stops working", async ({ page, browser }) => {
  const manager = await staffMember(browser, MANAGER);
  const advisor = await staffMember(browser, ADVISOR);
  try {
    await api(page.context().request, "pair_device", { code: await pairingCode(browser, manager.store) });
    await open(page, "/kiosk");
    await unlockKiosk(page, manager.id);
    await expect(page.locator('.kiosk-bar[data-unlocked="true"]')).toBeVisible();
    await page.locator('.main-nav a[href="/kiosk/staff"]').tap();

    const line = page.locator(`.pin-list li[data-staff="${advisor.id}"]`);
    const field = line.locator('input[name="pin"]');
    await field.tap();
    await field.fill("123456");
    await line.locator("button").tap();
    await expect(page.locator(".staff-panel [role=alert]")).toHaveText("PIN 过于简单（重复或连续数字），请换一个");
    await field.fill("975310");
    await line.locator("button").tap();
    await expect(page.locator(".staff-panel [role=status]")).toHaveText("PIN 已更新");

    await page.locator(".lock-form button").tap();
    await expect(page.locator(".lock-screen")).toBeVisible();
    await unlockKiosk(page, advisor.id);
    await expect(page.locator(".lock-screen [role=alert]")).toHaveText("PIN 不正确");
    await unlockKiosk(page, advisor.id, "975310");
    await expect(page.locator('.kiosk-bar[data-unlocked="true"]')).toBeVisible();
  } finally {
    // The demo PIN back for the other tests, whatever happened above.
    const context = await browser.newContext();
    await api(context.request, "sign_in", { realm: "staff", phone: MANAGER, password: DEMO_PASSWORD });
    await api(context.request, "set_pin", { staff_id: advisor.id, pin: DEMO_PIN });
    await context.close();
  }
});

test("on a network too slow to hydrate, unlocking and locking still work as form posts", async ({ browser }) => {
  const advisor = await staffMember(browser, ADVISOR);
  const context = await browser.newContext();
  // The page's code never arrives: the page stays as the server rendered it.
  await context.route(/\.wasm$/, () => {});
  const page = await context.newPage();
  await api(context.request, "pair_device", { code: await pairingCode(browser, advisor.store) });
  await page.goto("/kiosk");
  await expect(page.locator(".lock-screen")).toBeVisible();
  await page.locator(`.staff-tile[data-staff="${advisor.id}"]`).tap();
  await page.locator('.unlock-form input[name="pin"]').fill(DEMO_PIN);
  await page.locator(".unlock-form button.unlock").tap();
  await expect(page.locator('.kiosk-bar[data-unlocked="true"]')).toBeVisible();
  await page.locator(".lock-form button").tap();
  await expect(page.locator(".lock-screen")).toBeVisible();
  await expect(page.locator("html")).not.toHaveAttribute("data-hydrated", "true");
  await context.close();
});

test("the kiosk installs as a full-screen landscape app", async ({ page, request }) => {
  await open(page, "/kiosk");
  const href = await page.locator('link[rel="manifest"]').getAttribute("href");
  expect(href).toBe("/kiosk.webmanifest");
  const manifest = await (await request.get(href!)).json();
  expect(manifest.display).toBe("fullscreen");
  expect(manifest.start_url).toBe("/kiosk");
});

test.describe("with the Wi-Fi down for a moment", () => {
  // The browser reports the requests that could not go out.
  test.use({ allowedProblem: /ERR_INTERNET_DISCONNECTED|ERR_NETWORK_CHANGED|Failed to fetch|EventSource/ });

  test("a lock made while the Wi-Fi is down ends the session on the server once it is back", async ({ page }) => {
    await openKiosk(page, ADVISOR);
    await page.context().setOffline(true);
    await page.locator(".lock-form button").tap();
    // Locked on the screen at once; the server has not heard yet.
    await expect(page.locator(".lock-screen")).toBeVisible();
    expect(await api(page.context().request, "me")).not.toBeNull();
    await page.context().setOffline(false);
    await expect.poll(() => api(page.context().request, "me"), { timeout: 20_000 }).toBeNull();
    await expect(page.locator(".lock-screen")).toBeVisible();
  });
});
