import { test, expect, expectAccessible } from "./fixtures";
import { ADVISOR, api, bookingAt, open, openKiosk, pairingCode, qualityCheck, unlockKiosk } from "./helpers";

// Runs in the "ipad" project: iPad viewport, touch events, as at the reception counter.

test("a booking moves across the board from check-in to handover, live on a second iPad", async ({ page, browser }) => {
  const advisor = await openKiosk(page, ADVISOR);
  const booking = await bookingAt(browser, advisor.store);

  // A second iPad of the same store, unlocked by a technician, watches the same day.
  const second = await browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: true });
  const other = await second.newPage();
  // A technician of the store, from the board's staff list.
  const board = await api(page.context().request, "store_board", { day: booking.day });
  const technician = board.staff.find((s: { role: string }) => s.role === "technician");
  await api(second.request, "pair_device", { code: await pairingCode(browser, advisor.store) });
  await open(other, `/kiosk/board?day=${booking.day}`);
  await unlockKiosk(other, technician.id);
  const seen = other.locator(`.card[data-order="${booking.id}"]`);
  await expect(seen).toHaveAttribute("data-status", "booked");

  // The advisor opens the board of the booking's day.
  await page.locator('.main-nav a[href="/kiosk/board"]').tap();
  await expect(page.locator(".board-head h1")).toContainText("今日看板");
  await open(page, `/kiosk/board?day=${booking.day}`);
  const card = page.locator(`.card[data-order="${booking.id}"]`);
  await expect(card).toHaveAttribute("data-status", "booked");
  await expect(page.locator('.lane[data-lane="booked"]').locator(`[data-order="${booking.id}"]`)).toBeVisible();
  await expectAccessible(page, "/kiosk/board");

  // A mileage below the car's reading is refused, in Chinese; then the check-in.
  const checkIn = card.locator(".check-in");
  await checkIn.locator('input[name="mileage"]').tap();
  await checkIn.locator('input[name="mileage"]').fill("很多");
  await checkIn.locator('button[data-step="check_in"]').tap();
  await expect(page.locator(".board [role=alert]")).toHaveText(/里程/);
  await checkIn.locator('input[name="mileage"]').fill("31,200");
  await checkIn.locator('input[name="concerns"]').fill("刹车有异响");
  await checkIn.locator('button[data-step="check_in"]').tap();
  await expect(card).toHaveAttribute("data-status", "checked_in");
  await expect(card.locator(".concerns")).toHaveText("刹车有异响");
  await expect(card.locator(".responsible")).toContainText("负责人");
  // The other iPad sees it move, without a reload.
  await expect(seen).toHaveAttribute("data-status", "checked_in");

  // The technician picks the parts waiting on the shelf from the second iPad; the
  // advisor's card follows.
  const parts = seen.locator(".card-parts");
  await expect(parts.locator('li[data-state="shelf"]')).not.toHaveCount(0);
  const pick = parts.locator(".pick-form button");
  expect((await pick.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  await pick.tap();
  await expect(parts.locator('li[data-state="shelf"]')).toHaveCount(0);
  await expect(parts.locator(".pick-form")).toHaveCount(0);
  await expect(card.locator('.card-parts li[data-state="picked"]')).not.toHaveCount(0);
  // One more part that fits the car: held on the shelf, or requested and on its way.
  const held = await card.locator(".card-parts li").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-part")));
  await card.locator(".add-part summary").tap();
  const addPart = card.locator(".add-part-form");
  const skus = await addPart.locator("option").evaluateAll((os) => os.map((o) => [o.getAttribute("value"), o.getAttribute("data-sku")]));
  const [extraId, extraSku] = skus.find(([, sku]) => !held.includes(sku))!;
  await addPart.locator('select[name="part_id"]').selectOption(extraId!);
  await addPart.locator('input[name="quantity"]').fill("1");
  await addPart.locator("button").tap();
  await expect(card.locator(`.card-parts li[data-part="${extraSku}"]`)).toHaveAttribute("data-state", /shelf|arriving/);
  await expect(seen.locator(`.card-parts li[data-part="${extraSku}"]`)).toBeVisible();
  await expectAccessible(page, "/kiosk/board with parts");

  // Into a bay and to quality check.
  for (const [step, status] of [
    ["start_work", "in_bay"],
    ["submit_for_qc", "quality_check"],
  ]) {
    const button = card.locator(`button[data-step="${step}"]`);
    const box = await button.boundingBox();
    expect(box!.height, `${step} is big enough for a finger`).toBeGreaterThanOrEqual(44);
    await button.tap();
    await expect(card).toHaveAttribute("data-status", status);
    await expect(seen).toHaveAttribute("data-status", status);
  }
  // The check goes by the service's checklist: there is no "pass" button. One step
  // fails, with what failed: the car goes back to the bay.
  await expect(card.locator('button[data-step="pass_qc"]')).toHaveCount(0);
  await expect(card.locator(".qc-form .qc-step")).not.toHaveCount(0);
  for (const target of [card.locator(".qc-pass").first(), card.locator(".submit-qc")]) {
    expect((await target.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  }
  await expectAccessible(page, "/kiosk/board at quality check");
  await qualityCheck(card, "机油滤清器渗油");
  await expect(card).toHaveAttribute("data-status", "in_bay");
  await expect(seen).toHaveAttribute("data-status", "in_bay");
  await card.locator('button[data-step="submit_for_qc"]').tap();
  await expect(card).toHaveAttribute("data-status", "quality_check");
  await qualityCheck(card);
  await expect(card).toHaveAttribute("data-status", "ready");
  await expect(seen).toHaveAttribute("data-status", "ready");
  await expect(page.locator('.lane[data-lane="ready"]').locator(`[data-order="${booking.id}"]`)).toBeVisible();

  // The technician hands it over from the second iPad; the advisor's board follows.
  await seen.locator('button[data-step="hand_over"]').tap();
  await expect(card).toHaveAttribute("data-status", "handed_over");
  await expect(card.locator("button[data-step]")).toHaveCount(0);
  await second.close();
});
