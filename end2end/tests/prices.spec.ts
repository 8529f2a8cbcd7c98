import { test, expect, Browser } from "./fixtures";
import { HQ_ADMIN, fen, firstServiceCode, open, openAsStaff, openKiosk, priceOf, signIn, yuan } from "./helpers";

test("one service shows the same price on all three surfaces", async ({ page }) => {
  await open(page, "/");
  const code = await firstServiceCode(page);
  const onWeb = (await priceOf(page, code).textContent()) ?? "";
  expect(fen(onWeb)).toBeGreaterThan(0);

  // The store's paired kiosk, unlocked by an advisor, and HQ's console.
  await openKiosk(page);
  await page.locator('.main-nav a[href="/kiosk/prices"]').click();
  await expect(priceOf(page, code)).toHaveText(onWeb);
  await page.context().clearCookies();
  await open(page, "/hq");
  await signIn(page, HQ_ADMIN);
  await expect(priceOf(page, code)).toHaveText(onWeb);
});

async function customerPage(browser: Browser) {
  // A second browser context: another person, another cookie jar.
  const context = await browser.newContext();
  const page = await context.newPage();
  await open(page, "/");
  await expect(page.locator("[data-live]")).toHaveAttribute("data-live", "on");
  return { context, page };
}

test("HQ publishes a new price and an open customer page shows it live", async ({ page, browser }) => {
  await openAsStaff(page, "/hq");
  const code = await firstServiceCode(page);
  const before = fen((await priceOf(page, code).textContent()) ?? "");
  const version = Number(await page.locator(".version-line").getAttribute("data-version"));

  const customer = await customerPage(browser);
  await expect(priceOf(customer.page, code)).toHaveText(yuan(before));

  const after = before + 1150;
  const row = page.locator(`tr[data-service="${code}"]`);
  await row.locator('input[name="price"]').fill((after / 100).toFixed(2));
  await row.locator('button[type="submit"]').click();
  await expect(row.locator(".ok")).toContainText(String(version + 1));
  await expect(priceOf(page, code)).toHaveText(yuan(after));

  // History is kept: the new version on top, the old price below it.
  const history = page.locator(`tr[data-service="${code}"] .price-history`);
  await history.locator("summary").click();
  await expect(history.locator("li").first()).toHaveAttribute("data-version", String(version + 1));
  await expect(history.locator("li").first().locator(".price")).toHaveText(yuan(after));
  await expect(history.locator("li").nth(1).locator(".price")).toHaveText(yuan(before));

  // No reload on the customer's side: the change arrives over the event stream.
  await expect(priceOf(customer.page, code)).toHaveText(yuan(after));
  await expect(customer.page.locator(".version-line")).toHaveAttribute("data-version", String(version + 1));
  await customer.context.close();
});

test("a bad price gets a translated message and changes nothing", async ({ page }) => {
  await openAsStaff(page, "/hq");
  const code = await firstServiceCode(page);
  const row = page.locator(`tr[data-service="${code}"]`);
  const before = (await priceOf(page, code).textContent()) ?? "";
  const version = await page.locator(".version-line").getAttribute("data-version");

  const cases: Array<[string, string, string]> = [
    ["abc", "金额格式不正确", "That is not an amount"],
    ["0", "价格必须大于零", "A price must be more than zero"],
    ["-12", "价格必须大于零", "A price must be more than zero"],
    ["1.234", "最多保留两位小数", "at most two decimals"],
    ["99999999999999999999", "金额过大", "too large"],
    ["", "请输入金额", "Enter an amount"],
  ];
  for (const [input, zh] of cases) {
    await row.locator('input[name="price"]').fill(input);
    await row.locator('button[type="submit"]').click();
    await expect(row.locator(".error")).toContainText(zh);
  }
  await page.locator('.lang-switch button[data-lang="en"]').click();
  await expect(row.locator(".error")).toContainText(cases[cases.length - 1][2]);

  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
  await expect(priceOf(page, code)).toHaveText(before);
  await expect(page.locator(".version-line")).toHaveAttribute("data-version", version ?? "");
  await page.locator('.lang-switch button[data-lang="zh"]').click();
});

test("only HQ operations may open the price console", async ({ page }) => {
  await open(page, "/hq");
  await expect(page.locator(".auth-card h1")).toHaveText("员工登录");
  await expect(page.locator(".price-table")).toHaveCount(0);

  // A wrong password is refused with a translated message.
  const form = page.locator(".auth-form");
  await form.locator('input[name="phone"]').fill("13900000001");
  await form.locator('input[name="password"]').fill("not-the-password-1");
  await form.locator('button[type="submit"]').click();
  await expect(form.locator(".error")).toHaveText("手机号或密码不正确");

  // A store's service advisor signs in but HQ's console stays closed to them.
  await signIn(page, "13900000004");
  await expect(page.locator('[role="alert"]')).toHaveText("您的岗位无权使用此页面");
  await expect(page.locator(".price-table")).toHaveCount(0);
  await page.locator(".sign-out button").click();
  await expect(page.locator(".auth-card h1")).toHaveText("员工登录");
});
