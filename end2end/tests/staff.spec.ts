import { test, expect, expectAccessible } from "./fixtures";
import { HQ_ADMIN, freshPhone, open, signIn } from "./helpers";

test("HQ adds a technician to a store, records their skills, moves them and deactivates them", async ({ page }) => {
  await open(page, "/hq/staff");
  await signIn(page, HQ_ADMIN);
  await expect(page.locator(".staff-table").first()).toBeVisible();
  await expectAccessible(page, "/hq/staff");
  const stores = page.locator('.add-staff-form select[name="store_id"] option');
  const [first, second] = [await stores.nth(0).getAttribute("value"), await stores.nth(1).getAttribute("value")];

  // A role HQ does not add to a store is not offered; a bad phone number is refused.
  const form = page.locator(".add-staff-form");
  await form.locator('select[name="store_id"]').selectOption(first!);
  await form.locator('select[name="role"]').selectOption("technician");
  await form.locator('input[name="phone"]').fill("1371234");
  await form.locator('input[name="name"]').fill("新 技师");
  await form.locator('button[type="submit"]').click();
  await expect(page.locator(".staff-admin > [role=alert]")).toHaveText("手机号格式不正确，请输入 11 位手机号。");

  const phone = freshPhone();
  await form.locator('input[name="phone"]').fill(phone);
  await form.locator('button[type="submit"]').click();
  const row = page.locator(`.staff-table[data-store="${first}"] tr[data-phone="${phone}"]`);
  await expect(row).toBeVisible();

  // Skills: tyres and EV work.
  await row.locator('.skills-form input[name="tyres"]').check();
  await row.locator('.skills-form input[name="ev"]').check();
  await row.locator(".skills-form button").click();
  const moved = page.locator(`.staff-table[data-store="${second}"] tr[data-phone="${phone}"]`);
  await expect(row.locator('.skills-form input[name="ev"]')).toBeChecked();

  // Moved to the second store, with the skills kept.
  await row.locator('.move-form select[name="store_id"]').selectOption(second!);
  await row.locator(".move-form button").click();
  await expect(moved).toBeVisible();
  await expect(row).toHaveCount(0);
  await expect(moved.locator('.skills-form input[name="tyres"]')).toBeChecked();
  await expect(moved.locator('.skills-form input[name="maintenance"]')).not.toBeChecked();

  // Deactivated: gone from the roster.
  await moved.locator(".deactivate-form button").click();
  await expect(moved).toHaveCount(0);
});

test("HQ adds a customer tag to the chain's vocabulary and renames it", async ({ page }) => {
  await open(page, "/hq/tags");
  await signIn(page, HQ_ADMIN);
  await expect(page.locator(".tag-defs li").first()).toBeVisible();
  await expectAccessible(page, "/hq/tags");
  const code = `t${Date.now().toString(36)}`;
  const add = page.locator(".add-tag-def");
  // A code that is not one is refused, in Chinese, and nothing is added.
  await add.locator('input[name="code"]').fill("晚上");
  await add.locator('input[name="label_zh"]').fill("下班后到店");
  await add.locator('input[name="label_en"]').fill("Comes after work");
  await add.locator("button").click();
  await expect(page.locator(".hq-tags [role=alert]")).toHaveText(/标签/);
  await add.locator('input[name="code"]').fill(code);
  await add.locator("button").click();
  const row = page.locator(`.tag-defs li[data-tag="${code}"]`);
  await expect(row.locator('input[name="label_zh"]')).toHaveValue("下班后到店");
  // Renamed: the same tag, its new name.
  await row.locator('input[name="label_zh"]').fill("傍晚到店");
  await row.locator("button").click();
  await open(page, "/hq/tags");
  await expect(page.locator(`.tag-defs li[data-tag="${code}"] input[name="label_zh"]`)).toHaveValue("傍晚到店");
});
