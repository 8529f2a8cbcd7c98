import { test, expect, expectAccessible, Browser, BrowserContext, Page } from "./fixtures";
import { DEMO_PASSWORD, HQ_ADMIN, api, freshPhone, open, pairingCode, unlockKiosk } from "./helpers";

// Runs in the "ipad" project: the stores' kiosks at an iPad's viewport, by touch; the
// customer in a desktop browser of their own.

type Roster = { stores: { id: string }[]; staff: { id: string; phone: string; role: string; store: string }[] };

/** A store's reception staff member (manager or advisor), from HQ's roster. */
async function receptionOf(browser: Browser, store: string) {
  const context = await browser.newContext();
  await api(context.request, "sign_in", { realm: "staff", phone: HQ_ADMIN, password: DEMO_PASSWORD });
  const roster: Roster = await api(context.request, "staff_roster");
  await context.close();
  const person = roster.staff.find((s) => s.store === store && (s.role === "service_advisor" || s.role === "store_manager"));
  if (!person) throw new Error(`no reception staff at ${store}`);
  return person;
}

/** An iPad of `store`, unlocked by its reception, showing the online orders. */
async function inboxOf(page: Page, browser: Browser, store: string) {
  const person = await receptionOf(browser, store);
  await api(page.context().request, "pair_device", { code: await pairingCode(browser, store) });
  await open(page, "/kiosk");
  await unlockKiosk(page, person.id);
  await expect(page.locator('.kiosk-bar[data-unlocked="true"]')).toBeVisible();
  await page.locator('.main-nav a[href="/kiosk/inbox"]').tap();
  await expect(page.locator(".inbox h1")).toBeVisible();
}

/** Signs up a customer with a Corolla in `context`; returns the vehicle id. */
async function customerWithCorolla(context: BrowserContext): Promise<string> {
  const request = context.request;
  await api(request, "sign_up", { phone: freshPhone(), name: "任意 门店", password: "oil-change-2026" });
  const models = await api(request, "models");
  const corolla = models.find((m: { code: string }) => m.code === "TOY-COROLLA");
  const plate = `浙D${String(Date.now()).slice(-5)}`;
  const vehicle = await api(request, "add_vehicle", { plate, model_id: corolla.id, mileage: "30000" });
  return vehicle.id;
}

/** On the booking page: an oil change for "any store", tomorrow afternoon; returns the order's id. */
async function orderAnyStore(customer: Page, vehicle: string): Promise<string> {
  await open(customer, `/book?vehicle=${vehicle}`);
  await customer.locator('.service-row[data-service="OIL_CHANGE"] .choose-service').click();
  await customer.locator(".any-store-link a").click();
  await expect(customer).toHaveURL(/\/book\/any\?vehicle=/);
  await expect(customer.locator('.chosen-service[data-service="OIL_CHANGE"]')).toBeVisible();
  const form = customer.locator(".any-store-form");
  await expect(form).toBeVisible();
  const tomorrow = await form.locator('select[name="date"] option').nth(1).getAttribute("value");
  await form.locator('select[name="date"]').selectOption(tomorrow!);
  await form.locator('input[name="day_part"][value="afternoon"]').check();
  await form.locator(".send-any-store").click();
  await expect(customer).toHaveURL(/\/requests\//);
  await expect(customer.locator(".routed-order")).toHaveAttribute("data-status", "offered");
  return customer.url().split("/requests/")[1];
}

test("an order for any store arrives live at the store's kiosk, is accepted, and a declined one moves on", async ({ page, browser }) => {
  // The customer, in a browser of their own.
  const customerContext = await browser.newContext({ locale: "zh-CN" });
  const customer = await customerContext.newPage();
  const vehicle = await customerWithCorolla(customerContext);

  // Where a new customer's order goes: the stores by distance from the city centre
  // (no location shared), as the store picker measures it.
  const quotes = await api(customerContext.request, "service_quotes", { vehicle_id: vehicle });
  const oil = quotes.quotes.find((q: { service: { code: string } }) => q.service.code === "OIL_CHANGE");
  const options: { store: string; distance_m: number }[] = await api(customerContext.request, "store_options", {
    vehicle_id: vehicle,
    service_id: oil.service.id,
  });
  const byDistance = [...options].sort((a, b) => a.distance_m - b.distance_m || a.store.localeCompare(b.store));
  const [first, second] = byDistance.map((o) => o.store);

  // The nearest store's iPad shows its inbox before the order is placed (other tests'
  // orders may be waiting there too).
  await inboxOf(page, browser, first);

  // The customer asks any store; the store's iPad sees it arrive, with a countdown.
  const one = await orderAnyStore(customer, vehicle);
  await expectAccessible(customer, "/requests/:id, waiting");
  const routed = await api(customerContext.request, "routed_order", { id: one });
  expect(routed.store.id).toBe(first);
  const item = page.locator(`.inbox-item[data-reference="${routed.reference}"]`);
  await expect(item).toBeVisible();
  await expect(item.locator(".countdown")).toHaveText(/剩余接单时间 (59|60):\d\d/);
  const before = await item.locator(".countdown").textContent();
  await expect(item.locator(".countdown")).not.toHaveText(before!);
  await expectAccessible(page, "/kiosk/inbox, an order waiting");

  // Accepted by touch, at the first free start of the afternoon.
  const accept = item.locator(".accept");
  expect((await accept.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  await accept.tap();
  await expect(page.locator(".inbox .ok")).toContainText("BK-");
  await expect(item).toHaveCount(0);
  // The customer sees the acceptance without reloading, with the booking it made.
  await expect(customer.locator(".routed-order")).toHaveAttribute("data-status", "accepted");
  await expect(customer.locator(".routed-order .status")).toContainText("已接单");
  await expect(customer.locator('.hops li[data-outcome="accepted"]')).toHaveCount(1);
  await customer.locator(".to-booking").click();
  await expect(customer.locator(".booking-facts")).toBeVisible();

  // The next store's iPad, open before the second order.
  const secondContext = await browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: true, locale: "zh-CN" });
  const next = await secondContext.newPage();
  await inboxOf(next, browser, second);

  // A second order goes to the nearest store too; it declines with a reason.
  const two = await orderAnyStore(customer, vehicle);
  const secondOrder = await api(customerContext.request, "routed_order", { id: two });
  expect(secondOrder.store.id).toBe(first);
  const declined = page.locator(`.inbox-item[data-reference="${secondOrder.reference}"]`);
  await expect(declined).toBeVisible();
  await declined.locator(".decline summary").tap();
  // "Other" needs a note: refused in Chinese, nothing moves.
  await declined.locator('.decline-form input[value="other"]').check();
  await declined.locator(".decline-submit").tap();
  await expect(page.locator(".inbox [role=alert]")).toHaveText(/原因/);
  await expect(declined).toBeVisible();
  await declined.locator('.decline-form input[value="fully_booked"]').check();
  await declined.locator(".decline-submit").tap();
  await expect(declined).toHaveCount(0);

  // It arrives at the next store's iPad, live, and the customer sees it move on.
  const arrived = next.locator(`.inbox-item[data-reference="${secondOrder.reference}"]`);
  await expect(arrived).toBeVisible();
  await expect(arrived.locator(".wanted")).toContainText("此前转单次数 1");
  await expect(customer.locator('.hops li[data-outcome="declined"]')).toHaveCount(1);
  await expect(customer.locator('.hops li[data-outcome="waiting"]')).toHaveCount(1);
  await expect(customer.locator(".routed-order")).toHaveAttribute("data-status", "offered");

  // HQ follows it: waiting at the second store, with its route.
  const hq = await browser.newContext({ locale: "en-US" });
  const console_ = await hq.newPage();
  await open(console_, "/hq/routing");
  await console_.locator('.auth-form input[name="phone"]').fill(HQ_ADMIN);
  await console_.locator('.auth-form input[name="password"]').fill(DEMO_PASSWORD);
  await console_.locator('.auth-form button[type="submit"]').click();
  const row = console_.locator(`.routed-list.waiting tr[data-reference="${secondOrder.reference}"]`);
  await expect(row).toBeVisible();
  await expect(row.locator(".route")).toContainText("→");
  await expect(console_.locator(`.routed-list.accepted tr[data-reference="${routed.reference}"]`)).toBeVisible();
  await expectAccessible(console_, "/hq/routing");

  await hq.close();
  await secondContext.close();
  await customerContext.close();
});

test("parts ordered online are held by the store that accepts and handed over at its counter", async ({ page, browser }) => {
  const customerContext = await browser.newContext({ locale: "zh-CN" });
  const customer = await customerContext.newPage();
  const vehicle = await customerWithCorolla(customerContext);

  // From the booking page to the parts page of this car.
  await open(customer, `/book?vehicle=${vehicle}`);
  await customer.locator(".parts-order-link a").click();
  await expect(customer).toHaveURL(/\/book\/parts\?vehicle=/);
  const form = customer.locator(".parts-form");
  await expect(form).toBeVisible();
  const wipers = form.locator('.part-offer[data-sku^="WIP-"]');
  await expect(wipers).toHaveCount(1);
  const send = form.locator(".send-parts");
  await expect(send).toBeDisabled();
  await wipers.locator("input.qty").fill("1");
  const price = (await wipers.locator(".price").textContent())!.split(" / ")[0].trim();
  await expect(send).toContainText(price);
  const tomorrow = await form.locator('select[name="form[date]"] option').nth(1).getAttribute("value");
  await form.locator('select[name="form[date]"]').selectOption(tomorrow!);
  await form.locator('input[name="form[day_part]"][value="afternoon"]').check();
  // Delivery asks for an address.
  await form.locator('input[name="form[handover]"][value="deliver"]').check();
  await expect(form.locator('input[name="form[address]"]')).toBeVisible();
  await form.locator('input[name="form[handover]"][value="collect"]').check();
  await expectAccessible(customer, "/book/parts");
  await send.click();
  await expect(customer).toHaveURL(/\/requests\//);
  await expect(customer.locator(".routed-order")).toHaveAttribute("data-status", "offered");
  await expect(customer.locator(".part-lines li")).toHaveCount(1);
  const id = customer.url().split("/requests/")[1];
  const order = await api(customerContext.request, "routed_order", { id });

  // The store it went to accepts on its iPad: the parts are held, no start to pick.
  await inboxOf(page, browser, order.store.id);
  const item = page.locator(`.inbox-item[data-reference="${order.reference}"]`);
  await expect(item).toBeVisible();
  await expect(item.locator(".part-lines li")).toHaveCount(1);
  await expect(item.locator(".ready-from")).toBeVisible();
  await item.locator(".accept").tap();
  await expect(page.locator(".inbox .ok")).toContainText("BK-");
  await expect(item).toHaveCount(0);
  await expect(customer.locator(".routed-order")).toHaveAttribute("data-status", "accepted");

  // On the counter's list; handed over by touch when the customer comes.
  const toHand = page.locator(`.hand-over-item[data-reference="${order.reference}"]`);
  await expect(toHand).toBeVisible();
  await expectAccessible(page, "/kiosk/inbox, parts to hand over");
  const handOver = toHand.locator(".hand-over");
  await expect(handOver).toBeEnabled();
  expect((await handOver.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  await handOver.tap();
  await expect(toHand).toHaveCount(0);
  // The customer sees it handed over, live.
  await expect(customer.locator('.routed-order .status[data-handed-over="true"]')).toBeVisible();
  await customerContext.close();
});
