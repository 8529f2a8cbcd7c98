import { test, expect, expectAccessible } from "./fixtures";
import { ADVISOR, api, bookingAt, handOver, openKiosk } from "./helpers";

// Runs in the "ipad" project: the store's iPad at the counter, by touch.

type Item = { id: string; order_reference: string; customer: string; vehicle: string; kind: string };

test("the morning queue: each call's outcome recorded by touch, the slip printable, booking again opens the booking", async ({ page, browser }) => {
  const advisor = await openKiosk(page, ADVISOR);
  // Five customers' oil changes, handed over: each schedules a satisfaction call.
  const bookings = [];
  for (let i = 0; i < 5; i++) {
    const booking = await bookingAt(browser, advisor.store);
    await handOver(page.context().request, booking);
    bookings.push(booking);
  }
  const queue = await api(page.context().request, "follow_up_queue");
  const calls: Item[] = bookings.map((b) => {
    const item = queue.items.find((i: Item) => i.order_reference === b.reference && i.kind === "satisfaction");
    if (!item) throw new Error(`no satisfaction call for ${b.reference}`);
    return item;
  });

  await page.locator('.main-nav a[href="/kiosk/follow-ups"]').tap();
  await expect(page.locator(".follow-ups h1")).toHaveText("今日回访");
  const upcoming = page.locator('.follow-up-section[data-section="upcoming"]');
  const item = (i: Item) => page.locator(`.follow-up[data-id="${i.id}"]`);
  for (const c of calls) await expect(upcoming.locator(`.follow-up[data-id="${c.id}"]`)).toBeVisible();
  // Why it is due and what to say.
  await expect(item(calls[0]).locator(".why")).toContainText("到店日期");
  await expect(item(calls[0]).locator(".script")).toContainText("满意度回访");
  await expectAccessible(page, "/kiosk/follow-ups");

  const choose = async (i: Item, outcome: string) => {
    const choice = item(i).locator(`.choice.outcome:has(input[value="${outcome}"])`);
    expect((await choice.boundingBox())!.height, `${outcome} is big enough for a finger`).toBeGreaterThanOrEqual(44);
    await choice.tap();
  };
  const record = (i: Item) => item(i).locator(".record-outcome").tap();

  // Nobody answers: tried once, still in the queue; the second call gets through.
  await choose(calls[0], "not_reached");
  await record(calls[0]);
  await expect(item(calls[0]).locator(".attempts")).toContainText("1");
  await choose(calls[0], "reached");
  await record(calls[0]);
  await expect(item(calls[0])).toHaveCount(0);

  // Satisfied without stars is refused, in Chinese, and changes nothing; then four stars.
  await choose(calls[1], "satisfied");
  await record(calls[1]);
  await expect(page.locator(".follow-ups [role=alert]")).toContainText("评分");
  await expect(item(calls[1])).toBeVisible();
  await item(calls[1]).locator('.choice.star:has(input[value="4"])').tap();
  await item(calls[1]).locator('textarea[name="text"]').fill("换油很快，师傅讲解清楚");
  await record(calls[1]);
  await expect(item(calls[1])).toHaveCount(0);

  // Praise for the people who did the work.
  await choose(calls[2], "praise");
  await item(calls[2]).locator('textarea[name="text"]').fill("接待热情，专门表扬");
  await record(calls[2]);
  await expect(item(calls[2])).toHaveCount(0);

  // A complaint opens a case.
  await choose(calls[3], "complaint");
  await item(calls[3]).locator('textarea[name="text"]').fill("回家后发现机油盖没拧紧");
  await record(calls[3]);
  await expect(item(calls[3])).toHaveCount(0);
  await expect(page.locator(".slip-footer .done-today")).not.toHaveText("0");

  // The slip prints without the forms, with boxes to tick by hand.
  await page.emulateMedia({ media: "print" });
  await expect(item(calls[4]).locator(".outcome-form")).toBeHidden();
  await expect(item(calls[4]).locator(".print-only")).toBeVisible();
  await expect(page.locator(".topbar")).toBeHidden();
  await page.emulateMedia({ media: "screen" });

  // Booked again: the customer's file opens with the car's booking open.
  await choose(calls[4], "booked_again");
  await record(calls[4]);
  await expect(page).toHaveURL(new RegExp(`/kiosk/customers/${calls[4].customer}\\?book=${calls[4].vehicle}`));
  await expect(page.locator(`.file-vehicles .counter-booking`)).toBeVisible();

  // What was recorded, as the store's queue now reads.
  const after = await api(page.context().request, "follow_up_queue");
  for (const c of calls) expect(after.items.find((i: Item) => i.id === c.id)).toBeUndefined();
});
