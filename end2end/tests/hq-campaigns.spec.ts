import { test, expect, expectAccessible } from "./fixtures";
import type { APIRequestContext, Browser, Page } from "./fixtures";
import { MANAGER, api, freshPhone, open, openAsStaff } from "./helpers";

/** A new customer with an Xpeng P7 (a prospect: a car, no order yet), signed in in a context of their own. */
async function prospectWithP7(browser: Browser): Promise<APIRequestContext> {
  const context = await browser.newContext();
  const request = context.request;
  await api(request, "sign_up", { phone: freshPhone(), name: "营销 测试", password: "campaign-2026" });
  const models = await api(request, "models");
  const p7 = models.find((m: { code: string }) => m.code === "XPG-P7");
  const plate = `浙A${String(Date.now()).slice(-5)}`;
  await api(request, "add_vehicle", { plate, model_id: p7.id, mileage: "12000" });
  return request;
}

async function figures(page: Page) {
  const count = page.locator(".segment-count .count");
  await expect(count.locator(".customers")).toBeVisible();
  return {
    customers: Number(await count.locator(".customers").innerText()),
    reachable: Number(await count.locator(".reachable").innerText()),
    skipped: Number(await count.locator(".opted-out").innerText()),
  };
}

test("HQ builds a segment with a live count and sends a campaign that skips a customer who opted out", async ({ page, browser }) => {
  const first = await prospectWithP7(browser);
  const second = await prospectWithP7(browser);
  await api(first, "set_contact", { calls: "on", sms: "on", campaigns: "on" });
  await api(second, "set_contact", { calls: "on", sms: "on", campaigns: "on" });

  await openAsStaff(page, "/hq/campaigns");
  const builder = page.locator(".segment-builder");
  await expect(builder).toBeVisible();
  const everyone = await figures(page);

  // Prospects with an Xpeng P7: the count follows each tick.
  await builder.locator('.stages input[value="prospect"]').check();
  await expect.poll(async () => (await figures(page)).customers).toBeLessThan(everyone.customers);
  await builder.locator(".models label", { hasText: "P7" }).locator("input").check();
  await expect.poll(async () => (await figures(page)).customers).toBeGreaterThanOrEqual(2);
  const before = await figures(page);
  expect(before.customers).toBeLessThan(everyone.customers);

  // The second one opts out of campaigns: the count sees one fewer to reach.
  await api(second, "set_contact", { calls: "on", sms: "on" });
  await builder.locator(".classes input").first().check();
  await builder.locator(".classes input").first().uncheck();
  await expect.poll(async () => (await figures(page)).reachable).toBe(before.reachable - 1);
  const now = await figures(page);
  expect(now.customers).toBe(before.customers);
  expect(now.skipped).toBeGreaterThanOrEqual(1);
  await expectAccessible(page, "/hq/campaigns with a segment");

  // A message without its English is refused in words; nothing is sent.
  const campaignsBefore = await page.locator("article.campaign").count();
  await builder.locator('textarea[name="message_zh"]').fill("小鹏车主春季保养八折");
  await builder.locator(".send-campaign").click();
  await expect(builder.locator("[role=alert]")).toContainText(/Chinese and English|中文和英文/);
  await expect(builder.locator(".campaign-started")).toHaveCount(0);
  await open(page, "/hq/campaigns");
  await expect(page.locator("article.campaign")).toHaveCount(campaignsBefore);

  // Both languages, by text message: sent to those who may be reached, the rest skipped.
  await expect(builder).toBeVisible();
  await builder.locator('.stages input[value="prospect"]').check();
  await builder.locator(".models label", { hasText: "P7" }).locator("input").check();
  await expect.poll(async () => (await figures(page)).customers).toBe(now.customers);
  await builder.locator('textarea[name="message_zh"]').fill("小鹏车主春季保养八折");
  await builder.locator('textarea[name="message_en"]').fill("Xpeng owners: 20% off spring servicing");
  await builder.locator(".send-campaign").click();
  const started = builder.locator(".campaign-started");
  await expect(started).toBeVisible();
  await expect(started.locator(".sent")).toHaveText(String(now.reachable));
  await expect(started.locator(".skipped")).toHaveText(String(now.skipped));
  await expect(page.locator("article.campaign")).toHaveCount(campaignsBefore + 1);
  const results = page.locator("article.campaign").first();
  await expect(results).toContainText("Xpeng owners: 20% off spring servicing");
  const sum = async (cls: string) => {
    const cells = await results.locator(`td.${cls}`).allInnerTexts();
    return cells.reduce((n, t) => n + Number(t), 0);
  };
  expect(await sum("sent")).toBe(now.reachable);
  expect(await sum("opted-out")).toBe(now.skipped);
  await expectAccessible(page, "/hq/campaigns with a campaign sent");
});

test("HQ's after-sales view shows every store's figures with charts drawn on the server", async ({ page }) => {
  await openAsStaff(page, "/hq/aftersales");
  const table = page.locator(".report-table");
  await expect(table).toBeVisible();
  await expect(table.locator("tbody tr")).not.toHaveCount(0);
  await expect(table.locator("tfoot tr.chain")).toBeVisible();
  // The charts arrive as SVG in the page, one per measure.
  await expect(page.locator(".chart-box svg[role=img]")).toHaveCount(4);
  await expect(page.locator("#chart-followups svg title").first()).not.toBeEmpty();
  // Another period: the figures are recomputed for it.
  const due30 = await table.locator("tfoot td.due").innerText();
  await page.locator(".aftersales-report .period select").selectOption("90");
  await expect.poll(async () => Number(await table.locator("tfoot td.due").innerText())).toBeGreaterThanOrEqual(Number(due30));
  await expectAccessible(page, "/hq/aftersales");
  // Without JavaScript the charts are already in the server's HTML.
  const html = await (await page.request.get("/hq/aftersales")).text();
  expect(html).toContain("<svg");
  await open(page, "/hq/aftersales");
  await expect(page.locator(".chart-box svg")).toHaveCount(4);
});

test("a store manager runs campaigns over their own store's customers only", async ({ page }) => {
  await openAsStaff(page, "/hq/campaigns", MANAGER);
  const builder = page.locator(".segment-builder");
  await expect(builder).toBeVisible();
  // No choice of store: theirs is the only slice.
  await expect(builder.locator(".criterion.stores")).toHaveCount(0);
  await expect(page.locator(".segment-count .slices tbody tr")).toHaveCount(1);
  await expect(page.locator(".segment-count .customers")).not.toHaveText("0");
  await expectAccessible(page, "/hq/campaigns as a store manager");
});
