import { test, expect, expectAccessible, Page } from "./fixtures";
import { DEMO_CUSTOMER, freshPhone, open, signIn } from "./helpers";

async function signUp(page: Page, phone: string, name: string, password: string) {
  await open(page, "/signup");
  const form = page.locator(".auth-form");
  await form.locator('input[name="phone"]').fill(phone);
  await form.locator('input[name="name"]').fill(name);
  await form.locator('input[name="password"]').fill(password);
  await form.locator('button[type="submit"]').click();
}

async function addVehicle(page: Page, plate: string, km: string) {
  const form = page.locator(".add-vehicle");
  await form.locator('input[name="plate"]').fill(plate);
  await form.locator('select[name="model_id"]').selectOption({ index: 1 });
  await form.locator('input[name="mileage"]').fill(km);
  await form.locator('button[type="submit"]').click();
}

test("a new customer signs up, is told off for a bad plate and fills the garage", async ({ page }) => {
  // A weak password first: the rule is explained, nothing is created.
  const phone = freshPhone();
  await signUp(page, phone, "李 车主", "abcdefgh");
  await expect(page.locator(".auth-form .error")).toHaveText(
    "密码过于简单：请混合字母和数字，且不要包含手机号",
  );
  await page.locator('.auth-form input[name="password"]').fill("oil-change-2026");
  await page.locator('.auth-form button[type="submit"]').click();

  await expect(page).toHaveURL(/\/garage$/);
  await expect(page.locator(".garage h1")).toHaveText("我的车库");
  await expect(page.locator(".user-name")).toHaveText("李 车主");
  await expect(page.locator(".garage .empty")).toBeVisible();

  await addVehicle(page, "浙A1234", "12000");
  await expect(page.locator(".add-vehicle .error")).toHaveText(
    "车牌号格式不正确，例如 浙A12345 或 浙AD12345。",
  );
  await expect(page.locator(".vehicle-card")).toHaveCount(0);

  await addVehicle(page, "浙a 12345", "12,000");
  const card = page.locator('.vehicle-card[data-plate="浙A12345"]');
  await expect(card).toBeVisible();
  await expect(card.locator(".mileage")).toHaveText("12000 km");

  // The vehicle page: correct the mileage; no history yet.
  await card.locator("a.plate").click();
  await expect(page.locator(".vehicle-page h1")).toHaveText("浙A12345");
  await expect(page.locator(".vehicle-page .empty")).toHaveText("暂无记录");
  await page.locator('.edit-vehicle input[name="mileage"]').fill("abc");
  await page.locator('.edit-vehicle button[type="submit"]').click();
  await expect(page.locator(".edit-vehicle .error")).toContainText("里程");
  await page.locator('.edit-vehicle input[name="mileage"]').fill("12500");
  await page.locator('.edit-vehicle button[type="submit"]').click();
  await expect(page.locator('.edit-vehicle input[name="mileage"]')).toHaveValue("12500");

  // Removed, it leaves the garage.
  await page.locator(".vehicle-page a").first().click();
  await expect(page).toHaveURL(/\/garage$/);
  await page.locator('.vehicle-card[data-plate="浙A12345"] .remove-vehicle button').click();
  await expect(page.locator(".vehicle-card")).toHaveCount(0);

  // A preferred advisor, chosen from any store's: kept, and shown after a reload.
  const advisor = page.locator(".my-advisor");
  await expect(advisor.locator(".current-advisor")).toHaveText("未选择");
  const option = advisor.locator('select[name="staff_id"] option').nth(1);
  const label = (await option.textContent())!;
  await advisor.locator('select[name="staff_id"]').selectOption({ index: 1 });
  await advisor.locator('button[type="submit"]').click();
  await expect(advisor.locator(".current-advisor")).toHaveText(label);
  await open(page, "/garage");
  await expect(page.locator(".my-advisor .current-advisor")).toHaveText(label);
  await expectAccessible(page, "/garage with the advisor choice");

  // Signed out, the garage asks who you are; the session is gone after a reload too.
  await page.locator(".sign-out button").click();
  await open(page, "/garage");
  await expect(page.locator(".auth-card h1")).toHaveText("登录");
});

test.describe("in English", () => {
  test.use({ locale: "en-US" });
  test("a returning customer signs in and sees the service history", async ({ page }) => {
    await open(page, "/garage");
    await expect(page.locator(".auth-card h1")).toHaveText("Sign in");
    const form = page.locator(".auth-form");
    await form.locator('input[name="phone"]').fill(DEMO_CUSTOMER);
    await form.locator('input[name="password"]').fill("wrong-password-1");
    await form.locator('button[type="submit"]').click();
    await expect(page.locator(".auth-form .error")).toHaveText("Wrong phone number or password");
    await signIn(page, DEMO_CUSTOMER);
    await expect(page.locator(".garage h1")).toHaveText("My garage");
    const first = page.locator(".vehicle-card a.plate").first();
    await first.click();
    await expect(page.locator(".vehicle-page h2")).toHaveText("Service history");
    const entries = page.locator(".history-entry");
    expect(await entries.count()).toBeGreaterThan(0);
    await expect(entries.first().locator(".price")).toHaveText(/^¥[\d,]+\.\d{2}$/);
  });

  test("sign-up explains what is wrong, in English", async ({ page }) => {
    await open(page, "/signup");
    const form = page.locator(".auth-form");
    await form.locator('input[name="phone"]').fill("12345");
    await form.locator('input[name="name"]').fill("Li");
    await form.locator('input[name="password"]').fill("oil-change-2026");
    await form.locator('button[type="submit"]').click();
    await expect(form.locator(".error")).toContainText("mobile");
    await form.locator('input[name="phone"]').fill(DEMO_CUSTOMER);
    await form.locator('button[type="submit"]').click();
    await expect(form.locator(".error")).toHaveText(
      "This phone number already has an account; please sign in",
    );
  });
});
