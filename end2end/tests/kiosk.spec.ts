import { test, expect } from "./fixtures";
import { ADVISOR, DEMO_PASSWORD, firstServiceCode, open, priceOf } from "./helpers";

// Runs in the "ipad" project: iPad viewport, touch events, as at the reception counter.
test("the kiosk works by touch at iPad size", async ({ page }) => {
  await open(page, "/kiosk");
  // Reception signs in by touch.
  const form = page.locator(".auth-form");
  await form.locator('input[name="phone"]').tap();
  await form.locator('input[name="phone"]').fill(ADVISOR);
  await form.locator('input[name="password"]').tap();
  await form.locator('input[name="password"]').fill(DEMO_PASSWORD);
  await form.locator('button[type="submit"]').tap();
  await expect(page.locator('[data-signed-in="true"]')).toBeVisible();
  await expect(page.locator(".user-menu .role")).toHaveText("服务顾问");
  const viewport = page.viewportSize();
  expect(viewport?.width).toBeGreaterThanOrEqual(1024);
  expect(await page.evaluate(() => navigator.maxTouchPoints)).toBeGreaterThan(0);

  // Touch targets are big enough for a finger.
  const box = await page.locator('.lang-switch button[data-lang="en"]').boundingBox();
  expect(box?.height).toBeGreaterThanOrEqual(44);

  await page.locator('.lang-switch button[data-lang="en"]').tap();
  await expect(page.locator("h1")).toHaveText("Service price list");
  const code = await firstServiceCode(page);
  await expect(priceOf(page, code)).toHaveText(/^¥[\d,]+\.\d{2}$/);
  await page.locator('.lang-switch button[data-lang="zh"]').tap();
  await expect(page.locator("h1")).toHaveText("服务价目表");
});

test("the kiosk installs as a full-screen landscape app", async ({ page, request }) => {
  await open(page, "/kiosk");
  const href = await page.locator('link[rel="manifest"]').getAttribute("href");
  expect(href).toBe("/kiosk.webmanifest");
  const manifest = await (await request.get(href!)).json();
  expect(manifest.display).toBe("fullscreen");
  expect(manifest.start_url).toBe("/kiosk");
});
