import { test, expect, expectAccessible } from "./fixtures";
import { devices } from "@playwright/test";
import { ADVISOR, HQ_SUPPLY, open, openAsStaff, openKiosk, staffMember } from "./helpers";

// HQ at a desktop; the store's iPad, by touch, in a second browser context.

test("HQ finds a part below safety stock, reads the proposal's reasoning, approves a transfer, and the store's kiosk sees it arrive", async ({ page, browser }) => {
  const store = (await staffMember(browser, ADVISOR)).store;

  // The store's iPad, open on its transfers.
  const ipad = await browser.newContext({ ...devices["iPad (gen 7) landscape"], locale: "zh-CN" });
  const kiosk = await ipad.newPage();
  await openKiosk(kiosk, ADVISOR);
  await kiosk.locator('.main-nav a[href="/kiosk/transfers"]').tap();
  await expect(kiosk.locator(".transfers h2")).toBeVisible();

  // HQ supply narrows the network to the store's oil filters and raises one's safety stock.
  await openAsStaff(page, "/hq/stock", HQ_SUPPLY);
  const network = page.locator(".supply-network");
  await expect(network.locator(".network-table tbody tr").first()).toBeVisible();
  await network.locator('select[name="location"]').selectOption(store);
  await expect(network.locator(".network-table tbody tr").first()).toBeVisible();
  const category = network.locator('select[name="category"] option', { hasText: /机油滤清器/ });
  await network.locator('select[name="category"]').selectOption(await category.getAttribute("value") ?? "");
  const row = network.locator(".network-table tbody tr").first();
  await expect(row).toBeVisible();
  const sku = (await row.getAttribute("data-sku")) ?? "";
  const code = (await row.getAttribute("data-location")) ?? "";
  expect(sku).not.toBe("");
  const target = network.locator(`.network-table tbody tr[data-sku="${sku}"]`);
  await expect(target.locator(".suggested .formula")).toContainText("1.65 × σ");

  // A negative safety stock is refused in words and changes nothing.
  const safety = target.locator('.safety-form input[name="safety"]');
  const before = await safety.inputValue();
  await safety.fill("-2");
  await target.locator(".safety-form button").click();
  await expect(network.locator("[role=alert]")).toContainText("安全库存");
  await safety.fill("40");
  await target.locator(".safety-form button").click();
  await expect(target).toHaveClass(/status-below_safety|status-out/);
  expect(before).not.toBe("40");
  // Filtering by status finds it among the parts below safety stock, and an alert names it.
  await network.locator('select[name="status"]').selectOption("below_safety");
  await expect(network.locator(`.network-table tbody tr[data-sku="${sku}"]`)).toBeVisible();
  await expect(network.locator(`.alert.below-safety[data-location="${code}"][data-sku="${sku}"]`)).toBeVisible();
  await expectAccessible(page, "/hq/stock");

  // Its forecast: each part of the sum, day by day.
  await network.locator(`.network-table tbody tr[data-sku="${sku}"] a.forecast-link`).click();
  const forecast = page.locator(`.forecast[data-location="${code}"][data-sku="${sku}"]`);
  await expect(forecast.locator(".forecast-days tbody tr")).toHaveCount(7);
  await expect(forecast.locator(".weekday-pattern tbody tr")).toHaveCount(7);
  await expect(forecast.locator("tfoot td.total")).toBeVisible();
  await expectAccessible(page, "/hq/stock with a forecast");

  // The proposal: a line to the store for that part, with its arithmetic.
  await open(page, "/hq/replenishment");
  await page.locator(".run-form button.run").click();
  await expect(page.locator(".run-form button.run")).toBeEnabled();
  // A page of lines at a time, for the whole chain or one destination.
  const count = page.locator(".supply-proposal .lines-count");
  await expect(count).toContainText(/^1–15 \/ \d+/);
  await page.locator(".supply-proposal .pager button.later").click();
  await expect(count).toContainText(/^16–\d+ \//);
  await page.locator(".supply-proposal .pager button.earlier").click();
  await expect(count).toContainText(/^1–15 \//);
  const destination = page.locator('.supply-proposal select[name="to"] option', { hasText: code });
  await page.locator('.supply-proposal select[name="to"]').selectOption(await destination.getAttribute("value") ?? "");
  await expect(page.locator(`.supply-proposal .proposal-line[data-to="${code}"]`).first()).toBeVisible();
  await expect(page.locator(`.supply-proposal .proposal-line:not([data-to="${code}"])`)).toHaveCount(0);
  const line = page.locator(`.proposal-line.proposed[data-to="${code}"][data-sku="${sku}"]`).first();
  await expect(line).toBeVisible();
  await expect(line.locator(".terms tr.term.safety td")).toContainText("40");
  await expect(line.locator(".reasoning")).toContainText("建议调拨");
  const quantity = (await line.locator(".quantity").innerText()).trim();
  await expect(line.locator(".terms .total")).toHaveText(`= ${quantity}`);
  await expectAccessible(page, "/hq/replenishment with a proposal");

  // Editing a line below zero is refused; approving as proposed makes the transfer.
  await line.locator('.approve-form input[name="quantity"]').fill("-1");
  await line.locator(".approve-form button.approve").click();
  await expect(page.locator(".supply-proposal [role=alert]")).toContainText("大于零");
  await line.locator('.approve-form input[name="quantity"]').fill(quantity);
  await line.locator(".approve-form button.approve").click();
  const approved = page.locator(`.proposal-line.approved[data-to="${code}"][data-sku="${sku}"]`).first();
  await expect(approved).toBeVisible();

  // The store's kiosk sees it coming, live.
  const incoming = kiosk.locator(`.transfer-table tr.incoming[data-sku="${sku}"]`);
  await expect(incoming).toHaveClass(/reserved/);
  await expect(incoming.locator(".quantity")).toHaveText(quantity);

  // HQ sends it on the wave; the kiosk sees it in transit and receives it by touch.
  const hqRow = page.locator(`.transfer-table tr.reserved[data-to="${code}"][data-sku="${sku}"]`).first();
  await hqRow.locator("button.dispatch").click();
  await expect(incoming).toHaveClass(/in_transit/);
  await expectAccessible(kiosk, "/kiosk/transfers");
  await incoming.locator("button.receive").tap();
  await expect(incoming).toHaveClass(/received/);
  await ipad.close();
});

test("HQ supply moves a route's vans; a departure given twice is refused in words", async ({ page }) => {
  await openAsStaff(page, "/hq/replenishment", HQ_SUPPLY);
  const east = page.locator('.delivery-routes .route[data-route="east"]');
  await expect(east).toHaveAttribute("data-waves", "09:30,15:00");
  await expect(east.locator(".route-stores li")).toHaveCount(2);
  await expectAccessible(page, "/hq/replenishment with its routes");

  const time = (i: number) => east.locator(`.waves-form input[name="times[${i}]"]`);
  await expect(time(0)).toHaveValue("09:30");
  await time(1).fill("09:30");
  await east.locator(".waves-form button").click();
  await expect(page.locator(".delivery-routes [role=alert]")).toContainText("不同的时刻");
  await expect(east).toHaveAttribute("data-waves", "09:30,15:00");

  // One van at 10:15 instead, then back to the demo's two.
  await time(0).fill("10:15");
  await time(1).fill("");
  await east.locator(".waves-form button").click();
  await expect(page.locator(".delivery-routes [role=status]")).toContainText("发车时间已保存");
  await expect(east).toHaveAttribute("data-waves", "10:15");
  await time(0).fill("09:30");
  await time(1).fill("15:00");
  await east.locator(".waves-form button").click();
  await expect(east).toHaveAttribute("data-waves", "09:30,15:00");
});
