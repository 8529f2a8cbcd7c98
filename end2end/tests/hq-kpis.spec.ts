import { test, expect, expectAccessible } from "./fixtures";
import { devices } from "@playwright/test";
import { api, freshPhone, open, openAsStaff } from "./helpers";

// HQ at a desktop compares the stores.

test("HQ reads each store's KPIs by day and by week, with charts drawn on the server and their figures in tables", async ({ page }) => {
  await openAsStaff(page, "/hq/kpis");
  const report = page.locator(".kpi-report");
  const table = report.locator(".kpi-table");
  await expect(table).toBeVisible();
  await expect(table.locator("tbody tr.store")).not.toHaveCount(0);
  await expect(table.locator("tfoot tr.chain")).toBeVisible();
  await expect(report.locator(".chart-box svg[role=img]")).toHaveCount(5);
  await expect(report.locator("#chart-utilisation svg title").first()).not.toBeEmpty();
  // The last 30 days day by day, then week by week: the same bookings in fewer rows.
  const steps = report.locator(".kpi-steps tbody tr");
  await expect(steps).toHaveCount(30);
  const total = await table.locator("tfoot td.bookings").innerText();
  await report.locator(".step select").selectOption("week");
  await expect.poll(async () => steps.count()).toBeLessThanOrEqual(6);
  await expect(table.locator("tfoot td.bookings")).toHaveText(total);
  // A longer period holds at least as many bookings.
  await report.locator(".period select").selectOption("90");
  await expect.poll(async () => Number(await table.locator("tfoot td.bookings").innerText())).toBeGreaterThanOrEqual(Number(total));
  await expectAccessible(page, "/hq/kpis");
  // The charts are in the server's HTML before any code runs.
  const html = await (await page.request.get("/hq/kpis")).text();
  expect(html).toContain("<svg");
});

test("HQ sees where customers live against the stores' reach, and a customer's district counts once they say it", async ({ page, browser }) => {
  // A customer says where they live, in their garage.
  const phone = await browser.newContext({ ...devices["iPhone 13"], locale: "zh-CN" });
  const mobile = freshPhone();
  await api(phone.request, "sign_up", { phone: mobile, name: "林 女士", password: "where-i-live-2026" });
  const garage = await phone.newPage();
  await open(garage, "/garage");
  const form = garage.locator(".district-form");
  await form.locator('select[name="district"]').selectOption("QIANTANG");
  await form.locator("button").click();
  await expect(garage.locator(".home-district [role=status]")).toBeVisible();
  await expectAccessible(garage, "/garage with a district");
  await phone.close();

  await openAsStaff(page, "/hq/kpis");
  const map = page.locator(".customer-map");
  await expect(map.locator("svg[role=img]")).toBeVisible();
  const qiantang = map.locator('.map-table tr[data-district="QIANTANG"]');
  await expect(qiantang).toHaveClass(/beyond/);
  expect(Number(await qiantang.locator("td.customers").innerText())).toBeGreaterThan(0);
  await expect(map.locator(".next-store strong")).not.toBeEmpty();
  await expectAccessible(page, "/hq/kpis with the map");
});
