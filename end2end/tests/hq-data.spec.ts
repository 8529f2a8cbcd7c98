import { test, expect, expectAccessible } from "./fixtures";
import { readFileSync } from "fs";
import { openAsStaff } from "./helpers";

// HQ administration at a desktop imports a price file with mistakes in it.

test("a CSV import with errors shows them by row and applies nothing", async ({ page }) => {
  await openAsStaff(page, "/hq/data");
  const form = page.locator(".import-form");
  await expect(form).toBeVisible();
  await form.locator('input[name="kind"][value="prices"]').check();
  await expect(form.locator(".template code")).toHaveText("kind,code,price");

  // What the export says the oil change costs now, to find it unchanged after.
  await page.locator('button.export[data-kind="prices"]').click();
  const link = page.locator('a.download-link[data-kind="prices"]');
  await expect(link).toBeVisible();
  const download = page.waitForEvent("download");
  await link.click();
  const before = await (await download).path().then((p) => readFileSync(p, "utf8"));
  const oil = before.split("\n").find((l) => l.startsWith("service,OIL_CHANGE,"));
  expect(oil).toBeTruthy();

  const file = [
    "kind,code,price",
    "service,OIL_CHANGE,1.00",
    "part,NO-SUCH-SKU,10",
    "service,OIL_CHANGE,12.345",
  ].join("\n");
  await form.locator('input[type="file"]').setInputFiles({
    name: "prices.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(file, "utf8"),
  });
  await form.locator("button.check").click();

  const report = page.locator(".import-report");
  await expect(report.locator(".summary")).toContainText("3");
  await expect(page.locator("progress#import-progress")).toHaveAttribute("value", "100");
  const errors = report.locator(".import-errors tbody tr");
  await expect(errors).toHaveCount(2);
  await expect(report.locator('tr[data-line="3"]')).toContainText("SKU");
  await expect(report.locator('tr[data-line="4"]')).toContainText("price");
  await expect(report.locator("[role=alert]")).toBeVisible();
  // No button applies the whole file; one offers the valid row alone (not pressed: the
  // other browser tests share this price list).
  await expect(report.locator("button.apply")).toHaveCount(0);
  await expect(report.locator("button.apply-valid")).toContainText("1");
  await expectAccessible(page, "/hq/data with a checked file");

  // Nothing was applied: the export is as it was.
  await page.locator('button.export[data-kind="prices"]').click();
  const again = page.waitForEvent("download");
  await page.locator('a.download-link[data-kind="prices"]').click();
  const after = await (await again).path().then((p) => readFileSync(p, "utf8"));
  expect(after.split("\n").find((l) => l.startsWith("service,OIL_CHANGE,"))).toBe(oil);
});
