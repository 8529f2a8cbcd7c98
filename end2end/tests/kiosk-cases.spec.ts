import { test, expect, expectAccessible } from "./fixtures";
import { ADVISOR, BOOKING_PASSWORD, api, bookingAt, handOver, open, openKiosk } from "./helpers";

// Runs in the "ipad" project: the store's iPad by touch; the customer in a browser of
// their own.

test("a complaint taken on a follow-up call is worked by the store and confirmed by its customer", async ({ page, browser }) => {
  const advisor = await openKiosk(page, ADVISOR);
  const booking = await bookingAt(browser, advisor.store);
  await handOver(page.context().request, booking);
  const queue = await api(page.context().request, "follow_up_queue");
  const call = queue.items.find((i: { order_reference: string; kind: string }) => i.order_reference === booking.reference && i.kind === "satisfaction");

  // The call: the customer complains.
  await open(page, "/kiosk/follow-ups");
  const item = page.locator(`.follow-up[data-id="${call.id}"]`);
  await item.locator('.choice.outcome:has(input[value="complaint"])').tap();
  await item.locator('textarea[name="text"]').fill("回家后发现机油盖没拧紧");
  await item.locator(".record-outcome").tap();
  await expect(item).toHaveCount(0);

  // The case, on the store's cases page, with an owner and a deadline.
  await page.locator('.main-nav a[href="/kiosk/cases"]').tap();
  const kase = page.locator(".case-list .case").filter({ hasText: booking.reference });
  await expect(kase).toHaveAttribute("data-status", "open");
  await expect(kase.locator(".complaint")).toHaveText("回家后发现机油盖没拧紧");
  await expect(kase.locator(".escalation")).toHaveAttribute("data-escalation", "owner");
  await expectAccessible(page, "/kiosk/cases");
  // A resolution needs words: refused, in Chinese, and nothing changes.
  await kase.locator(".resolve").tap();
  await expect(page.locator(".cases-page [role=alert]")).toContainText("请填写");
  await expect(kase).toHaveAttribute("data-status", "open");
  await kase.locator('textarea[name="text"]').fill("电话致歉，约客户回店检查");
  await kase.locator(".add-step").tap();
  await expect(kase.locator('.case-steps li[data-action="step"]')).toHaveCount(1);
  await kase.locator('textarea[name="text"]').fill("免费复查并拧紧机油盖，赠送精洗一次");
  await kase.locator(".resolve").tap();
  await expect(kase).toHaveAttribute("data-status", "resolved");

  // The customer, on their garage, sees the resolution and confirms it.
  const theirs = await browser.newContext({ locale: "zh-CN" });
  const web = await theirs.newPage();
  await api(theirs.request, "sign_in", { realm: "customer", phone: booking.phone, password: BOOKING_PASSWORD });
  await open(web, "/garage");
  const mine = web.locator(".my-cases .case").filter({ hasText: booking.reference });
  await expect(mine).toHaveAttribute("data-status", "resolved");
  await expect(mine.locator(".resolution")).toContainText("免费复查");
  await expectAccessible(web, "/garage with a case to confirm");
  await mine.locator(".confirm-case").click();
  await expect(mine).toHaveAttribute("data-status", "confirmed");
  await expect(mine.locator(".confirm-case")).toHaveCount(0);

  // The store's iPad sees it confirmed, live, with every step in order.
  await expect(kase).toHaveAttribute("data-status", "confirmed");
  const actions = await kase.locator(".case-steps li").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-action")));
  expect(actions).toEqual(["opened", "step", "resolve", "confirm"]);
  await theirs.close();
});
