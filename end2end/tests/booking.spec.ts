import { test, expect, Page, Browser } from "./fixtures";
import { ADVISOR, fen, freshPhone, open, openAsStaff, openKiosk, yuan } from "./helpers";

/** Signs a new customer up and puts a Toyota Corolla in the garage; returns its plate. */
async function newCustomerWithCorolla(page: Page, plate: string, badPlateMessage?: string) {
  await open(page, "/signup");
  const form = page.locator(".auth-form");
  await form.locator('input[name="phone"]').fill(freshPhone());
  await form.locator('input[name="name"]').fill("赵 车主");
  await form.locator('input[name="password"]').fill("oil-change-2026");
  await form.locator('button[type="submit"]').click();
  await expect(page).toHaveURL(/\/garage$/);

  const add = page.locator(".add-vehicle");
  const corolla = await add.locator('option[data-code="TOY-COROLLA"]').getAttribute("value");
  await add.locator('select[name="model_id"]').selectOption(corolla!);
  await add.locator('input[name="mileage"]').fill("30000");
  if (badPlateMessage) {
    await add.locator('input[name="plate"]').fill("ZJ-12345");
    await add.locator('button[type="submit"]').click();
    await expect(add.locator(".error")).toHaveText(badPlateMessage);
  }
  await add.locator('input[name="plate"]').fill(plate);
  await add.locator('button[type="submit"]').click();
  await expect(page.locator(`.vehicle-card[data-plate="${plate}"]`)).toBeVisible();
}

/** From the garage to the store picker for an oil change; returns the quoted total. */
async function pickOilChange(page: Page, plate: string): Promise<string> {
  await page.locator(`.vehicle-card[data-plate="${plate}"] .book-link`).click();
  await expect(page).toHaveURL(/\/book\?vehicle=/);
  const oil = page.locator('.service-row[data-service="OIL_CHANGE"]');
  const total = (await oil.locator(".total").textContent())!.trim();
  expect(total).toMatch(/^¥[\d,]+\.\d{2}$/);
  await oil.locator(".choose-service").click();
  await expect(page.locator(".store-option").first()).toBeVisible();
  return total;
}

/** The kiosk's quote for a Corolla's oil change, as reception sees it. */
async function kioskOilChangeTotal(browser: Browser): Promise<string> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await openKiosk(page, ADVISOR);
  await page.locator('.main-nav a[href="/kiosk/prices"]').click();
  const select = page.locator(".model-quotes select");
  const corolla = await select.locator('option[data-code="TOY-COROLLA"]').getAttribute("value");
  await select.selectOption(corolla!);
  const total = (await page.locator('.model-quotes [data-service="OIL_CHANGE"] .total').textContent())!.trim();
  await context.close();
  return total;
}

function minus(text: string, amount: number): string {
  return String(Math.round((Number(text) - amount) * 1000) / 1000);
}

test("a customer books an oil change; another customer's store picker follows live", async ({ page, browser }) => {
  const stamp = String(Date.now()).slice(-5);
  const plateA = `浙A${stamp}`;
  await newCustomerWithCorolla(page, plateA, "车牌号格式不正确，例如 浙A12345 或 浙AD12345。");
  const total = await pickOilChange(page, plateA);

  // One price everywhere: the kiosk quotes the same total for this car.
  expect(await kioskOilChangeTotal(browser)).toBe(total);

  // A store with the parts in stock, and what its shelf holds.
  const store = page.locator('.store-option[data-availability="now"]').first();
  const code = (await store.getAttribute("data-store"))!;

  // A second customer watches the same store in another browser.
  const other = await browser.newContext();
  const watcher = await other.newPage();
  const plateB = `浙B${stamp}`;
  await newCustomerWithCorolla(watcher, plateB);
  await pickOilChange(watcher, plateB);
  await expect(watcher.locator("[data-live]")).toHaveAttribute("data-live", "on");
  const oilThere = watcher.locator(`.store-option[data-store="${code}"] .part-stock li`).first().locator(".available");
  const before = (await oilThere.textContent())!.trim();

  await store.locator(".choose-store").click();
  const first = page.locator(".slots .slot").first();
  const when = (await first.textContent())!.trim();
  await first.click();
  await expect(page.locator(".confirm .total")).toHaveText(total);
  await page.locator(".confirm-booking").click();

  await expect(page).toHaveURL(/\/bookings\//);
  await expect(page.locator(".booking-facts .reference")).toHaveText(/^BK-[0-9A-Z]{8}$/);
  await expect(page.locator(".booking-facts .time")).toContainText(when);
  await expect(page.locator(".booking-facts .status")).toHaveText("已预约");
  await expect(page.locator(".booking-page .total")).toHaveText(total);

  // 4.5 litres of oil left the other customer's view of that shelf, without a reload.
  await expect(oilThere).toHaveText(minus(before, 4.5));

  await page.locator(".cancel-booking").click();
  await expect(page.locator(".booking-facts .status")).toHaveText("已取消");
  await expect(oilThere).toHaveText(before);
  await other.close();
});

test.describe("in English", () => {
  // Standing at the Wensan Road store (HZ-XH).
  test.use({
    locale: "en-US",
    geolocation: { latitude: 30.2776, longitude: 120.1357 },
    permissions: ["geolocation"],
  });
  test("a new customer books the first free slot and reads the booking in English", async ({ page }) => {
    const plate = `苏E${String(Date.now()).slice(-5)}`;
    await newCustomerWithCorolla(page, plate, "That is not a mainland plate, e.g. 浙A12345 or 浙AD12345.");
    const total = await pickOilChange(page, plate);
    await expect(page.locator(".distance-from")).toContainText("Distances from the city centre");
    await page.locator(".use-location").click();
    await expect(page.locator(".distance-from")).toContainText("Distances from where you are");
    await expect(page.locator('.store-option[data-store="HZ-XH"] .distance')).toHaveText("0.0 km");
    await page.locator('.store-option[data-availability="now"] .choose-store').first().click();
    await page.locator(".slots .slot").first().click();
    await page.locator(".confirm-booking").click();
    await expect(page).toHaveURL(/\/bookings\//);
    await expect(page.locator(".booking-page h1")).toHaveText("Your booking");
    await expect(page.locator(".booking-facts .status")).toHaveText("Booked");
    await expect(page.locator(".booking-page .total")).toHaveText(total);
  });
});

test("HQ publishes a campaign and an open quote page prices it at once", async ({ page, browser }) => {
  const plate = `浙C${String(Date.now()).slice(-5)}`;
  await newCustomerWithCorolla(page, plate);
  await page.locator(`.vehicle-card[data-plate="${plate}"] .book-link`).click();
  await expect(page).toHaveURL(/\/book\?vehicle=/);
  await expect(page.locator("[data-live]")).toHaveAttribute("data-live", "on");
  const oil = page.locator('.service-row[data-service="OIL_CHANGE"]');
  const before = fen((await oil.locator(".total").textContent())!);

  // HQ, in another browser, publishes ¥7 off an oil change for today.
  const hq = await browser.newContext();
  const admin = await hq.newPage();
  await openAsStaff(admin, "/hq/policies");
  const form = admin.locator(".campaign-policy");
  await form.locator('input[name="name_zh"]').fill("测试活动 换机油立减 7 元");
  await form.locator('input[name="name_en"]').fill("Test campaign: ¥7 off an oil change");
  const oilChange = await form.locator('option[data-code="OIL_CHANGE"]').getAttribute("value");
  await form.locator('select[name="service_id"]').selectOption(oilChange!);
  await form.locator('input[name="amount"]').fill("7");
  await form.locator('button[type="submit"]').click();
  await expect(admin.locator(".policies .ok")).toBeVisible();
  await hq.close();

  // No reload: the publish arrives over the event stream and the quote is priced again.
  await expect(oil.locator(".total")).toHaveText(yuan(before - 700));
});
