import { test, expect, expectAccessible } from "./fixtures";
import { freshPhone, open, openKiosk, qualityCheck } from "./helpers";

// Runs in the "ipad" project (touch), at the 11-inch iPad's landscape size; the board's
// spec runs a second iPad at 1024×768.
test.use({ viewport: { width: 1180, height: 820 } });

/** A plate no demo vehicle and no other run has: 浙A and five random serial characters. */
function freshPlate(): string {
  const serial = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  let plate = "浙A";
  for (let i = 0; i < 5; i++) plate += serial[Math.floor(Math.random() * serial.length)];
  return plate;
}

test("reception registers a walk-in, tags them, and finds them again by part of the plate", async ({ page }) => {
  await openKiosk(page);
  const phone = freshPhone();
  const plate = freshPlate();

  // The walk-in: the customer types their number on the iPad, the advisor the rest.
  await expect(page.locator(".reception h1")).toHaveText("接待");
  await expectAccessible(page, "/kiosk, reception");
  await page.locator(".walk-in summary").tap();
  const form = page.locator(".walk-in-form");
  await form.locator('input[name="phone"]').tap();
  await form.locator('input[name="phone"]').fill(phone);
  await form.locator('input[name="name"]').fill("王 先生");
  await form.locator('input[name="plate"]').fill(plate.toLowerCase());
  await form.locator('select[name="model_id"] option').first().waitFor({ state: "attached" });
  await form.locator('select[name="model_id"]').selectOption({ index: 1 });
  // A mileage that is not one is refused in Chinese, and nobody is registered.
  await form.locator('input[name="mileage"]').fill("很多");
  await form.locator('button[type="submit"]').tap();
  await expect(page.locator(".walk-in [role=alert]")).toHaveText(/里程/);
  await form.locator('input[name="mileage"]').fill("12000");
  await form.locator('button[type="submit"]').tap();

  // Registered: their 360, which starts with the registration and the car.
  await expect(page).toHaveURL(/\/kiosk\/customers\/[0-9a-f-]{36}$/);
  const customer = page.url().split("/").pop()!;
  await expect(page.locator(".file-head h1")).toHaveText("王 先生");
  await expect(page.locator(".file-vehicles .plate")).toHaveText(plate);
  await expect(page.locator('.timeline [data-kind="registered"]')).toBeVisible();
  await expect(page.locator('.timeline [data-kind="vehicle"]')).toContainText(plate);

  // A tag from HQ's vocabulary, with who added it.
  await page.locator('.add-tag select[name="tag"]').selectOption("fleet");
  await page.locator(".add-tag button").tap();
  const tag = page.locator('.tag-list li[data-tag="fleet"]');
  await expect(tag.locator(".chip")).toHaveText("车队客户");
  await expect(tag.locator(".by")).toContainText("添加人");
  await expect(page.locator('.timeline [data-kind="tagged"]')).toContainText("车队客户");
  await expectAccessible(page, "/kiosk/customers/:id");

  // Back at reception, the plate read off the car without its province, in lower case,
  // finds them as it is typed.
  await page.locator(".customer-file .back").tap();
  const search = page.locator('.customer-search input[name="q"]');
  await search.tap();
  await search.pressSequentially(plate.slice(1, 5).toLowerCase());
  const hit = page.locator(`.search-results li[data-customer="${customer}"]`);
  await expect(hit).toBeVisible();
  await expect(hit.locator(".phone")).toHaveText(`${phone.slice(0, 3)}****${phone.slice(7)}`);
  // Big enough for a finger.
  for (const target of [search, hit.locator("a"), page.locator(".customer-search button"), page.locator(".walk-in summary")]) {
    const box = await target.boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44);
  }
  await hit.locator("a").tap();
  await expect(page.locator(".file-head h1")).toHaveText("王 先生");
  await expect(page.locator('.tag-list li[data-tag="fleet"]')).toBeVisible();

  // The last four digits of the phone find them too.
  await page.locator(".customer-file .back").tap();
  await search.fill(phone.slice(7));
  await expect(page.locator(`.search-results li[data-customer="${customer}"]`)).toBeVisible();

  // Locking forgets where the last person was.
  await page.locator(".lock-form button").tap();
  await expect(page.locator(".lock-screen")).toBeVisible();
  await expect(page).toHaveURL(/\/kiosk$/);
});

test("a walk-in is registered, booked at the counter for the next free time, and handed over", async ({ page }) => {
  await openKiosk(page);
  const plate = freshPlate();
  await page.locator(".walk-in summary").tap();
  const form = page.locator(".walk-in-form");
  await form.locator('input[name="phone"]').fill(freshPhone());
  await form.locator('input[name="name"]').fill("赵 女士");
  await form.locator('input[name="plate"]').fill(plate);
  await form.locator('select[name="model_id"] option').first().waitFor({ state: "attached" });
  await form.locator('select[name="model_id"]').selectOption({ index: 1 });
  await form.locator('input[name="mileage"]').fill("48000");
  await form.locator('button[type="submit"]').tap();
  await expect(page).toHaveURL(/\/kiosk\/customers\/[0-9a-f-]{36}$/);

  // The advisor books the car from its line on the 360: a service at the customer's
  // price, the store's next free time (no notice at the counter), confirm with the total.
  const car = page.locator(`.file-vehicles li[data-plate="${plate}"]`);
  const open360 = car.locator(".book-for-car");
  expect((await open360.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  await open360.tap();
  const panel = car.locator(".counter-booking");
  const service = panel.locator(".service-row").first();
  await service.locator("button").tap();
  const total = (await service.locator(".total").textContent())!;
  const slot = panel.locator(".slot").first();
  await slot.tap();
  const startUnix = Number(await slot.getAttribute("data-start"));
  await expect(panel.locator(".counter-confirm .when")).toBeVisible();
  await expectAccessible(page, "/kiosk/customers/:id, booking at the counter");
  const confirm = panel.locator(".book-at-counter");
  await expect(confirm).toContainText(total);
  expect((await confirm.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  await confirm.tap();

  // Booked: the reference, and the order on the timeline with the channel it came from.
  const booked = page.locator(".counter-booked");
  await expect(booked).toContainText("已预约");
  const order = (await booked.getAttribute("data-order"))!;
  const channel = startUnix * 1000 - Date.now() <= 3600_000 ? "到店" : "柜台预约";
  await expect(page.locator('.timeline [data-kind="order"]').first()).toContainText(channel);
  await expect(page.locator('.timeline [data-kind="order"]').first()).toContainText(total);

  // On the board of its day, from check-in to handover.
  const day = new Date(startUnix * 1000 + 8 * 3600_000).toISOString().slice(0, 10);
  await open(page, `/kiosk/board?day=${day}`);
  const card = page.locator(`.card[data-order="${order}"]`);
  await expect(card).toHaveAttribute("data-status", "booked");
  await card.locator('.check-in input[name="mileage"]').fill("48010");
  await card.locator('button[data-step="check_in"]').tap();
  for (const [step, status] of [
    ["start_work", "in_bay"],
    ["submit_for_qc", "quality_check"],
  ]) {
    await card.locator(`button[data-step="${step}"]`).tap();
    await expect(card).toHaveAttribute("data-status", status);
  }
  await qualityCheck(card);
  await expect(card).toHaveAttribute("data-status", "ready");
  await card.locator('button[data-step="hand_over"]').tap();
  await expect(card).toHaveAttribute("data-status", "handed_over");
});

test("a walk-in who says they will not come is recorded as lost, with why", async ({ page }) => {
  await openKiosk(page);
  await page.locator(".walk-in summary").tap();
  const form = page.locator(".walk-in-form");
  await form.locator('input[name="phone"]').fill(freshPhone());
  await form.locator('input[name="name"]').fill("赵 女士");
  await form.locator('input[name="plate"]').fill(freshPlate());
  await form.locator('select[name="model_id"] option').first().waitFor({ state: "attached" });
  await form.locator('select[name="model_id"]').selectOption({ index: 1 });
  await form.locator('input[name="mileage"]').fill("8000");
  await form.locator('button[type="submit"]').tap();
  await expect(page).toHaveURL(/\/kiosk\/customers\/[0-9a-f-]{36}$/);

  // A car on file and no order: a prospect, whose reason for not coming the counter keeps.
  const head = page.locator(".file-head");
  await expect(head.locator('.stage[data-stage="prospect"]')).toBeVisible();
  const lost = head.locator(".mark-lost");
  await expect(lost.locator('select[name="reason"] option[value="no_response"]')).toHaveCount(0);
  await lost.locator('select[name="reason"]').selectOption("competitor");
  const record = lost.locator('button[type="submit"]');
  expect((await record.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  await record.tap();
  await expect(head.locator('.stage[data-stage="lost"]')).toBeVisible();
  await expect(head.locator(".lost-reason")).toHaveText("去了竞争对手");
  await expect(head.locator(".mark-lost")).toHaveCount(0);
  await expectAccessible(page, "/kiosk/customers/:id, a lost prospect");
});
