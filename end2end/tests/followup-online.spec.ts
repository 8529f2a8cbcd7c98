import { test, expect, expectAccessible } from "./fixtures";
import { ADVISOR, BOOKING_PASSWORD, api, bookingAt, handOver, open, openKiosk } from "./helpers";

test("a customer answers a follow-up online, keeps their contact choices and books the recommended service in one tap", async ({ page, browser }) => {
  // The store hands the car over, from its iPad.
  const kiosk = await browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: true, locale: "zh-CN" });
  const ipad = await kiosk.newPage();
  const advisor = await openKiosk(ipad, ADVISOR);
  const booking = await bookingAt(browser, advisor.store);
  await handOver(kiosk.request, booking);
  await kiosk.close();

  await api(page.context().request, "sign_in", { realm: "customer", phone: booking.phone, password: BOOKING_PASSWORD });
  await open(page, "/garage");
  const question = page.locator(`.visit-question[data-reference="${booking.reference}"]`);
  await expect(question).toBeVisible();
  await expect(question.locator(".visit")).toContainText(booking.plate);
  await expectAccessible(page, "/garage with a visit to rate");

  // Stars are needed: refused in Chinese, nothing sent; then five stars and a word.
  await question.locator(".send-rating").click();
  await expect(page.locator(".my-follow-ups [role=alert]")).toContainText("评分");
  await question.locator('.star:has(input[value="5"])').click();
  await question.locator('textarea[name="text"]').fill("换油很快，很满意");
  await question.locator(".send-rating").click();
  await expect(page.locator(".thanks")).toBeVisible();
  await expect(question).toHaveCount(0);

  // The next oil change, and why then.
  const due = page.locator('.due-item[data-kind="oil_change"]').filter({ hasText: booking.plate });
  await expect(due).toBeVisible();
  await expect(due.locator(".why")).toContainText("31000 km");

  // No campaigns, please: kept after a reload.
  await page.locator('.contact-form input[name="campaigns"]').uncheck();
  await page.locator(".save-contact").click();
  await expect(page.locator(".contact-form .saved")).toBeVisible();
  await open(page, "/garage");
  await expect(page.locator('.contact-form input[name="campaigns"]')).not.toBeChecked();
  await expect(page.locator('.contact-form input[name="calls"]')).toBeChecked();

  // One tap: the booking page opens with the car and the oil change chosen.
  await page.locator('.due-item[data-kind="oil_change"]').filter({ hasText: booking.plate }).locator(".book-it").click();
  await expect(page).toHaveURL(/\/book\?vehicle=[^&]+&service=/);
  await expect(page.locator('.service-row[data-service="OIL_CHANGE"]')).toHaveClass(/chosen/);
  await expect(page.locator(".chosen-breakdown")).toBeVisible();
  await page.locator('.store-option[data-availability="now"] .choose-store').first().click();
  await page.locator(".slots .slot").first().click();
  await page.locator(".confirm-booking").click();
  await expect(page).toHaveURL(/\/bookings\//);
  await expect(page.locator(".booking-facts .status")).toHaveText("已预约");
});
