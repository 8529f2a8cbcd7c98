import { test, expect, expectAccessible } from "./fixtures";
import { ADVISOR, MANAGER, api, bookingAt, open, openKiosk, pairingCode, staffMember, unlockKiosk } from "./helpers";

// Runs in the "ipad" project: iPad viewport, touch events. The manager's iPad is the
// 11-inch one; an advisor's second iPad of the store is 1024×768.
test.use({ viewport: { width: 1180, height: 820 } });

test("the manager closes a weekday: the booking on it is flagged, live on a colleague's iPad, and reopening clears it", async ({
  page,
  browser,
}) => {
  const manager = await openKiosk(page, MANAGER);
  const booking = await bookingAt(browser, manager.store);
  // ISO weekday (Monday 1) of the booking's local day.
  const weekday = ((new Date(`${booking.day}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;

  // An advisor's iPad of the same store watches the settings page.
  const second = await browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: true });
  const other = await second.newPage();
  const advisor = await staffMember(browser, ADVISOR);
  await api(second.request, "pair_device", { code: await pairingCode(browser, advisor.store) });
  await open(other, "/kiosk");
  await unlockKiosk(other, advisor.id);
  await other.locator('.main-nav a[href="/kiosk/store"]').tap();
  await expect(other.locator(".store-settings h1")).toHaveText("门店设置");
  // An advisor reads the hours; only the manager has the form.
  await expect(other.locator(".store-settings .settings-form")).toHaveCount(0);
  await expect(other.locator(".store-settings .hint").last()).toHaveText("只有店长可以修改门店设置。");
  await expect(other.locator(".stranded .none")).toBeVisible();

  await page.locator('.main-nav a[href="/kiosk/store"]').tap();
  await expect(page).toHaveURL(/\/kiosk\/store$/);
  const form = page.locator(".settings-form");
  await expect(form.locator(".day")).toHaveCount(7);
  await expectAccessible(page, "/kiosk/store");
  const day = form.locator(`.day[data-day="${weekday}"]`);
  const open_ = day.locator(".open-day");
  // Big enough for a finger.
  expect((await open_.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  await expect(open_.locator("input")).toBeChecked();

  // Closed on the booking's day, by touch.
  await open_.tap();
  await expect(open_.locator("input")).not.toBeChecked();
  await form.locator('button[type="submit"]').tap();
  await expect(page.locator(".store-settings [role=status]")).toHaveText("已保存，预约时段已更新");
  const flagged = page.locator(`.stranded li[data-order="${booking.id}"]`);
  await expect(flagged).toBeVisible();
  await expect(flagged.locator(".reason")).toHaveText("不在营业时间内");
  await expect(flagged.locator(".ref")).toHaveText(booking.reference);
  await expect(form.locator(`.day[data-day="${weekday}"] .open-day input`)).not.toBeChecked();
  await expectAccessible(page, "/kiosk/store with a flagged booking");

  // The colleague's iPad shows it without a reload, and its hours say closed.
  await expect(other.locator(`.stranded li[data-order="${booking.id}"]`)).toBeVisible();
  await expect(other.locator(`.day[data-day="${weekday}"] .hours`)).toHaveText("休息");
  // The flag leads to the customer, to call them.
  await other.locator(`.stranded li[data-order="${booking.id}"] a`).tap();
  await expect(other).toHaveURL(/\/kiosk\/customers\/[0-9a-f-]{36}$/);

  // The board's card of that day says so as well.
  await open(other, `/kiosk/board?day=${booking.day}`);
  await expect(other.locator(`.card[data-order="${booking.id}"] .to-move`)).toHaveText("不在营业时间内");

  // Open again: the booking fits, the flag is gone everywhere.
  await form.locator(`.day[data-day="${weekday}"] .open-day`).tap();
  await form.locator('button[type="submit"]').tap();
  await expect(page.locator(".stranded .none")).toHaveText("所有预约都符合现在的设置。");
  await other.locator('.main-nav a[href="/kiosk/store"]').tap();
  await expect(other.locator(".stranded .none")).toBeVisible();
  await second.close();
});
