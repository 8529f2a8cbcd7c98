import { test, expect, expectAccessible, Browser, Page } from "./fixtures";
import { DEMO_PASSWORD, HQ_ADMIN, api, bookingAt, open, pairingCode, unlockKiosk } from "./helpers";

// Runs in the "ipad" project: two stores' kiosks at an iPad's viewport, by touch.

type Roster = { stores: { id: string }[]; staff: { id: string; phone: string; role: string; store: string }[] };

async function roster(browser: Browser): Promise<Roster> {
  const context = await browser.newContext();
  await api(context.request, "sign_in", { realm: "staff", phone: HQ_ADMIN, password: DEMO_PASSWORD });
  const r: Roster = await api(context.request, "staff_roster");
  await context.close();
  return r;
}

/** An iPad of `store`, unlocked by its reception, on the help page. */
async function helpPageOf(page: Page, browser: Browser, r: Roster, store: string) {
  const person = r.staff.find((s) => s.store === store && (s.role === "service_advisor" || s.role === "store_manager"));
  if (!person) throw new Error(`no reception staff at ${store}`);
  await api(page.context().request, "pair_device", { code: await pairingCode(browser, store) });
  await open(page, "/kiosk");
  await unlockKiosk(page, person.id);
  await expect(page.locator('.kiosk-bar[data-unlocked="true"]')).toBeVisible();
  await page.locator('.main-nav a[href="/kiosk/help"]').tap();
  await expect(page.locator(".help-page h1")).toBeVisible();
}

test("a store asks the stores nearby for a technician and for parts; one helps, the parts are sent and received", async ({ page, browser }) => {
  const r = await roster(browser);
  const [asker, helper] = [r.stores[0].id, r.stores[1].id];
  // A customer's oil change booked at the asking store, before its iPad opens.
  const booking = await bookingAt(browser, asker);

  // The helping store's iPad is open before the request is made.
  const helperContext = await browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: true, locale: "zh-CN" });
  const there = await helperContext.newPage();
  await helpPageOf(there, browser, r, helper);
  await helpPageOf(page, browser, r, asker);

  // The customer's Corolla takes wiper blades the order does not hold (every store keeps
  // a few above its safety stock).
  type Board = { orders: { id: string; reference: string; fitting: string[] }[]; parts: [string, string, unknown][] };
  const board: Board = await api(page.context().request, "help_board");
  const wiperIds = board.parts.filter(([, sku]) => sku.startsWith("WIP-")).map(([id]) => id);
  const chosen = board.orders.find((o) => o.reference === booking.reference);
  if (!chosen) throw new Error("the booking is not among the store's open orders");
  const wiper = chosen.fitting.find((p) => wiperIds.includes(p));
  if (!wiper) throw new Error("no wiper blades fit the car");
  const reference = chosen.reference;

  // Short of a technician for it: asked by touch.
  const form = page.locator(".raise-form");
  await form.locator('select[name="order_id"]').selectOption(chosen.id);
  await form.locator('input[name="kind"][value="staff"]').check();
  await form.locator(".raise").tap();
  const mine = page.locator(`.help-list.asked .help-item[data-order="${reference}"]`);
  await expect(mine).toHaveCount(1);
  await expect(mine).toHaveAttribute("data-status", "open");
  await expectAccessible(page, "/kiosk/help, a request open");

  // It arrives live at the store nearby, which sends a technician.
  const request = there.locator(`.help-list.nearby .help-item[data-order="${reference}"]`);
  await expect(request).toBeVisible();
  await expectAccessible(there, "/kiosk/help, a request nearby");
  await request.locator(".accept-help").tap();
  await expect(there.locator(`.help-list.helping .help-item[data-order="${reference}"]`)).toBeVisible();
  // The store that asked sees who comes, live.
  await expect(mine).toHaveAttribute("data-status", "accepted");
  await expect(mine.locator(".visit")).toBeVisible();

  // Short of parts for the same order: the wiper blades. The helper sends them with the
  // next wave.
  await form.locator('input[name="kind"][value="parts"]').check();
  await form.locator('select[name="part_id"]').selectOption(wiper);
  await form.locator('input[name="quantity"]').fill("1");
  await form.locator(".raise").tap();
  const parts = page.locator(`.help-list.asked .help-item[data-status="open"][data-order="${reference}"]`);
  await expect(parts).toHaveCount(1);
  const partsThere = there.locator(`.help-list.nearby .help-item[data-order="${reference}"]`);
  await expect(partsThere).toBeVisible();
  await partsThere.locator('input[name="dispatch"][value="wave"]').check();
  await partsThere.locator(".accept-help").tap();
  const sending = there.locator(`.help-list.helping .help-item[data-order="${reference}"] .send`);
  await sending.tap();
  const receive = page.locator(`.help-list.asked .help-item[data-order="${reference}"] .receive`);
  await expect(receive).toBeVisible();
  await receive.tap();
  await expect(page.locator(`.help-list.asked .transfer[data-step="received"]`)).toBeVisible();

  // Asked again, then taken back before anyone answers: it leaves the store nearby, live.
  await form.locator('input[name="kind"][value="staff"]').check();
  await form.locator(".raise").tap();
  const again = page.locator(`.help-list.asked .help-item[data-status="open"][data-order="${reference}"]`);
  await expect(again).toHaveCount(1);
  const seen = there.locator(`.help-list.nearby .help-item[data-order="${reference}"]`);
  await expect(seen).toHaveCount(1);
  await again.locator(".withdraw").tap();
  await expect(page.locator(`.help-list.asked .help-item[data-status="withdrawn"][data-order="${reference}"]`)).toHaveCount(1);
  await expect(seen).toHaveCount(0);

  // HQ sees how long the requests waited.
  const hq = await browser.newContext({ locale: "en-US" });
  const console_ = await hq.newPage();
  await open(console_, "/hq/routing");
  await console_.locator('.auth-form input[name="phone"]').fill(HQ_ADMIN);
  await console_.locator('.auth-form input[name="password"]').fill(DEMO_PASSWORD);
  await console_.locator('.auth-form button[type="submit"]').click();
  await expect(console_.locator(`.help-table.answered tr[data-order="${reference}"]`)).toHaveCount(2);
  await expectAccessible(console_, "/hq/routing, help between stores");
  await hq.close();
  await helperContext.close();
});
