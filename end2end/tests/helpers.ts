import { expect, APIRequestContext, Browser, Locator, Page } from "@playwright/test";

/** Opens a page and waits until it has hydrated: clicks before that would be lost. */
export async function open(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
}

/** Parses a price as the UI shows it ("¥1,234.50") into fen. */
export function fen(text: string): number {
  const m = text.trim().match(/^(-?)¥([\d,]+)\.(\d{2})$/);
  if (!m) throw new Error(`not a price: ${JSON.stringify(text)}`);
  const value = Number(m[2].replace(/,/g, "")) * 100 + Number(m[3]);
  return m[1] ? -value : value;
}

/** Formats fen the way the UI must show it. */
export function yuan(fen: number): string {
  const whole = Math.floor(fen / 100).toLocaleString("en-US");
  return `¥${whole}.${String(fen % 100).padStart(2, "0")}`;
}

/** The price cell of one service on the current page. */
export function priceOf(page: Page, serviceCode: string) {
  return page.locator(`[data-service="${serviceCode}"] .price`);
}

/** The code of the first service on the page. */
export async function firstServiceCode(page: Page): Promise<string> {
  const code = await page.locator("[data-service]").first().getAttribute("data-service");
  if (!code) throw new Error("no service on the page");
  return code;
}

/** The demo data's password for every demo account, and its accounts (README). */
export const DEMO_PASSWORD = "pitlane-demo-2026";
export const HQ_ADMIN = "13900000001";
export const ADVISOR = "13900000004";
export const DEMO_CUSTOMER = "13800000001";
export const MANAGER = "13900000003";
/** The demo HQ supply-chain planner. */
export const HQ_SUPPLY = "13900000002";
/** Every demo store staff member's kiosk PIN (README). */
export const DEMO_PIN = "428613";

/** Calls a server function as the context `request` belongs to; fails on anything but 200. */
export async function api(request: APIRequestContext, fn: string, form: Record<string, string> = {}) {
  const res = await request.post(`/api/${fn}`, { form });
  expect(res.status(), `${fn}: ${await res.text()}`).toBe(200);
  return res.json();
}

/** The staff id and store of a demo staff member, from a sign-in of their own. */
export async function staffMember(browser: Browser, phone: string): Promise<{ id: string; store: string }> {
  const context = await browser.newContext();
  await api(context.request, "sign_in", { realm: "staff", phone, password: DEMO_PASSWORD });
  const me = await api(context.request, "me");
  await context.close();
  return { id: me.principal.id, store: me.principal.location };
}

/** A pairing code HQ made for `store` (in a context of its own). */
export async function pairingCode(browser: Browser, store: string): Promise<string> {
  const context = await browser.newContext();
  await api(context.request, "sign_in", { realm: "staff", phone: HQ_ADMIN, password: DEMO_PASSWORD });
  const code = await api(context.request, "create_pairing_code", { store_id: store, device_name: "测试 iPad" });
  await context.close();
  return code.code;
}

/** Unlocks the kiosk the page shows as staff member `id`: their tile, the PIN on the pad. */
export async function unlockKiosk(page: Page, id: string, pin = DEMO_PIN) {
  // By touch where the browser has it (the iPad project), by mouse elsewhere.
  const touch = await page.evaluate(() => navigator.maxTouchPoints > 0);
  const press = (l: ReturnType<Page["locator"]>) => (touch ? l.tap() : l.click());
  await press(page.locator(`.staff-tile[data-staff="${id}"]`));
  for (const digit of pin) await press(page.locator(`.pin-pad [data-digit="${digit}"]`));
  await press(page.locator(".unlock-form button.unlock"));
}

/**
 * Opens /kiosk on this page's browser paired with `phone`'s store (by API) and unlocked
 * by `phone` with the demo PIN.
 */
export async function openKiosk(page: Page, phone = ADVISOR) {
  const browser = page.context().browser()!;
  const staff = await staffMember(browser, phone);
  const code = await pairingCode(browser, staff.store);
  await api(page.context().request, "pair_device", { code });
  await open(page, "/kiosk");
  await unlockKiosk(page, staff.id);
  await expect(page.locator('.kiosk-bar[data-unlocked="true"]')).toBeVisible();
  return staff;
}

/**
 * Signs in on the form the page shows (customer or staff), then waits until the user
 * menu says someone is signed in.
 */
export async function signIn(page: Page, phone: string, password = DEMO_PASSWORD) {
  const form = page.locator(".auth-form");
  await form.locator('input[name="phone"]').fill(phone);
  await form.locator('input[name="password"]').fill(password);
  await form.locator('button[type="submit"]').click();
  await expect(page.locator('[data-signed-in="true"]')).toBeVisible();
}

/** Opens a staff surface (/kiosk or /hq) and signs in there as `phone`. */
export async function openAsStaff(page: Page, path: string, phone = HQ_ADMIN) {
  await open(page, path);
  await signIn(page, phone);
}

/** A mobile number no other test and no demo customer uses. */
export function freshPhone(): string {
  const n = Math.floor(Math.random() * 1e8);
  return `137${String(n).padStart(8, "0")}`;
}

/**
 * Marks every step of a board card's quality checklist by touch and submits it: all
 * passed, or with `failure` the second step failed with that note.
 */
export async function qualityCheck(card: Locator, failure?: string) {
  const steps = card.locator(".qc-form .qc-step");
  await expect(steps.first()).toBeVisible();
  const n = await steps.count();
  for (let i = 0; i < n; i++) {
    const step = steps.nth(i);
    if (failure && i === 1) {
      await step.locator(".qc-fail").tap();
      await step.locator('input[name$="[note]"]').fill(failure);
    } else {
      await step.locator(".qc-pass").tap();
    }
  }
  await card.locator(".submit-qc").tap();
}

/** A new customer's oil change at `store`, booked by API in a context of its own. */
export async function bookingAt(
  browser: Browser,
  store: string,
): Promise<{ id: string; reference: string; day: string; phone: string; plate: string }> {
  const context = await browser.newContext();
  const request: APIRequestContext = context.request;
  const phone = freshPhone();
  await api(request, "sign_up", { phone, name: "看板 测试", password: BOOKING_PASSWORD });
  const models = await api(request, "models");
  const corolla = models.find((m: { code: string }) => m.code === "TOY-COROLLA");
  const plate = `浙B${String(Date.now()).slice(-5)}`;
  const vehicle = await api(request, "add_vehicle", { plate, model_id: corolla.id, mileage: "30000" });
  const quotes = await api(request, "service_quotes", { vehicle_id: vehicle.id });
  const oil = quotes.quotes.find((q: { service: { code: string } }) => q.service.code === "OIL_CHANGE");
  const slots = await api(request, "store_slots", { vehicle_id: vehicle.id, service_id: oil.service.id, store_id: store });
  const booking = await api(request, "confirm_booking", {
    vehicle_id: vehicle.id,
    service_id: oil.service.id,
    store_id: store,
    start: slots[0].start,
    expected_total: String(oil.quote.Ok.total),
    idempotency_key: crypto.randomUUID(),
  });
  await context.close();
  // The store's local day (UTC+8) of the slot.
  const day = new Date(Date.parse(booking.start) + 8 * 3600_000).toISOString().slice(0, 10);
  return { id: booking.id, reference: booking.reference, day, phone, plate };
}

/** The password of the customers `bookingAt` signs up. */
export const BOOKING_PASSWORD = "oil-change-2026";

/**
 * Moves a booking of the kiosk's store (the signed-in `request`'s) through every step to
 * handover by API: checked in at `mileage`, worked on, every quality step passed.
 */
export async function handOver(request: APIRequestContext, booking: { id: string; day: string }, mileage = "31000") {
  const step = (name: string, extra: Record<string, string> = {}) =>
    api(request, "advance_work_order", { order_id: booking.id, step: name, ...extra });
  await step("check_in", { mileage, concerns: "" });
  await step("start_work");
  await step("submit_for_qc");
  const board = await api(request, "store_board", { day: booking.day });
  const card = board.orders.find((o: { id: string }) => o.id === booking.id);
  const marks: Record<string, string> = {};
  card.checklist.forEach((s: { no: number }, i: number) => {
    marks[`marks[${i}][no]`] = String(s.no);
    marks[`marks[${i}][outcome]`] = "pass";
  });
  await api(request, "submit_quality_check", { order_id: booking.id, ...marks });
  await step("hand_over");
}
