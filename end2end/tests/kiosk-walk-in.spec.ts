import { devices } from "@playwright/test";
import { test, expect, expectAccessible } from "./fixtures";
import { DEMO_PIN, api, freshPhone, open, openKiosk, qualityCheck } from "./helpers";

// Runs in the "ipad" project (touch, iPad landscape). The customer's phone is a second,
// phone-sized context beside the counter's iPad.

test("a walk-in is booked at the counter, approves extra work on their phone, fails a check once and is handed over", async ({ page, browser }) => {
  // The customer, on their phone: an account with a Corolla.
  const phone = await browser.newContext({ ...devices["iPhone 13"], locale: "zh-CN" });
  const mobile = freshPhone();
  await api(phone.request, "sign_up", { phone: mobile, name: "钱 先生", password: "brake-pads-2026" });
  const models = await api(phone.request, "models");
  const corolla = models.find((m: { code: string }) => m.code === "TOY-COROLLA");
  const plate = `浙C${String(Date.now()).slice(-5)}`;
  await api(phone.request, "add_vehicle", { plate, model_id: corolla.id, mileage: "41000" });

  // They walk in without a booking: the advisor finds them by the last digits of their
  // phone and books an oil change at the counter for the next free time.
  await openKiosk(page);
  const search = page.locator('.customer-search input[name="q"]');
  await search.tap();
  // Six digits: four matched a demo customer's phone now and then, who came first.
  await search.pressSequentially(mobile.slice(5));
  await page.locator(".search-results li a", { hasText: "钱 先生" }).first().tap();
  await expect(page.locator(".file-head h1")).toHaveText("钱 先生");
  const car = page.locator(`.file-vehicles li[data-plate="${plate}"]`);
  await car.locator(".book-for-car").tap();
  const panel = car.locator(".counter-booking");
  await panel.locator('.service-row[data-service="OIL_CHANGE"] button').tap();
  const slot = panel.locator(".slot").first();
  await slot.tap();
  const startUnix = Number(await slot.getAttribute("data-start"));
  await panel.locator(".book-at-counter").tap();
  const order = (await page.locator(".counter-booked").getAttribute("data-order"))!;

  // On the board of its day: checked in with the mileage.
  const day = new Date(startUnix * 1000 + 8 * 3600_000).toISOString().slice(0, 10);
  await open(page, `/kiosk/board?day=${day}`);
  const card = page.locator(`.card[data-order="${order}"]`);
  await card.locator('.check-in input[name="mileage"]').fill("41020");
  await card.locator('button[data-step="check_in"]').tap();
  await expect(card).toHaveAttribute("data-status", "checked_in");
  // Who should take it, and why: the board's suggestion.
  await expect(card.locator(".suggested")).toContainText("建议");

  // The customer follows the order on their phone.
  const mine = await phone.newPage();
  await open(mine, `/bookings/${order}`);
  await expect(mine.locator(".booking-facts .reference")).toBeVisible();

  // The technician finds the car pulling to one side and records it with the service
  // that fixes it (labour only, so the test does not hang on the demo's stock).
  await card.locator(".record-finding summary").tap();
  const form = card.locator(".finding-form");
  await form.locator('input[name="item"]').fill("方向盘向右跑偏");
  await form.locator('select[name="severity"]').selectOption("amber");
  await form.locator('select[name="service_id"]').selectOption({ label: "四轮定位" });
  await form.locator('button[type="submit"]').tap();
  const onCard = card.locator(".findings .finding").first();
  await expect(onCard).toHaveAttribute("data-decision", "pending");
  await expectAccessible(page, "/kiosk/board with a finding");

  // It reaches the phone live, with its price; the customer approves it there.
  const offered = mine.locator(".booking-findings .finding").first();
  await expect(offered).toContainText("方向盘向右跑偏");
  await expect(offered).toContainText("四轮定位");
  await expect(offered).toHaveAttribute("data-severity", "amber");
  await expectAccessible(mine, "/bookings/:id with a finding, on a phone");
  const approve = offered.locator('button[data-answer="approve"]');
  expect((await approve.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  await approve.tap();
  await expect(offered).toHaveAttribute("data-decision", "approved");
  await expect(mine.locator(".total-with-extras")).toBeVisible();
  // The iPad hears of it without a reload.
  await expect(onCard).toHaveAttribute("data-decision", "approved");

  // Into a bay; the quality check fails once and sends the car back; then it passes and
  // the car is handed over.
  const press = async (step: string, status: string) => {
    await card.locator(`button[data-step="${step}"]`).tap();
    await expect(card).toHaveAttribute("data-status", status);
  };
  await press("start_work", "in_bay");
  await press("submit_for_qc", "quality_check");
  // The checklist covers the oil change and the approved alignment.
  await expect(card.locator(".qc-step")).toContainText(["油液液位在标准范围内", "保养提示已复位", "试车无跑偏、无异响"]);
  await qualityCheck(card, "四轮定位后仍轻微跑偏");
  await expect(card).toHaveAttribute("data-status", "in_bay");
  await press("submit_for_qc", "quality_check");
  await qualityCheck(card);
  await expect(card).toHaveAttribute("data-status", "ready");

  // A goodwill discount at the counter needs a reason and the store manager's PIN; the
  // bill shows it with who approved it, on the iPad and on the customer's phone.
  await card.locator(".adjust summary").tap();
  const adjust = card.locator(".adjust-form");
  await adjust.locator('input[name="amount"]').fill("20");
  await adjust.locator('input[name="reason"]').fill("等候时间较长，店长同意优惠");
  await adjust.locator('input[name="manager_pin"]').fill("135792");
  await adjust.locator('button[type="submit"]').tap();
  await expect(page.locator(".board [role=alert]")).toHaveText("PIN 不正确");
  await adjust.locator('input[name="manager_pin"]').fill(DEMO_PIN);
  await adjust.locator('button[type="submit"]').tap();
  await expect(card.locator(".bill dt.adjustment")).toContainText("等候时间较长");
  await expect(mine.locator(".booking-findings .adjustment")).toContainText("等候时间较长");
  await press("hand_over", "handed_over");
  await phone.close();
});
