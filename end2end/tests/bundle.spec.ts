import * as fs from "node:fs";
import * as path from "node:path";
import { test, expect } from "./fixtures";
import { open } from "./helpers";

/**
 * The customer's first load: every file under /pkg/ a new visitor's browser fetches until
 * the page has hydrated (the loader, the main wasm, the page's lazy chunks, the
 * stylesheet), counted at the size it is served with brotli. Chromium asks for brotli
 * only over https, so the size of the `.br` file the release build wrote beside each file
 * is counted: that is what a phone downloads from the production site.
 *
 * Where a customer arrives (the services page, sign-in, sign-up) the budget is 300,000
 * bytes (issue "Pages that never break, …"). The booking page carries the whole booking
 * flow and is over that goal; its ceiling holds it where it is until it is cut. It was
 * 410,000 (at 408,020); the live updates through gloo-net's EventSource and the quote
 * page's refetch on a published policy (issue "The template for every feature …") took
 * the page to 412,258, so it was 415,000. HQ's staff page (issue "The store kiosk: …")
 * grew the main wasm that every page loads by 16.7 KB brotli, although its code is in
 * the HQ chunk (see the README), and took `/book` to 418,081: the ceiling was 420,000.
 * Online orders for "any store" (issue "Online orders that serve the stores: …") took it
 * from 419,086 to 422,350: the translated refusals every page may show (window in the
 * past, not at this store, …) are in the main wasm like every error, and the booking page
 * links to "any store". The form and the order's page are in the chunk of
 * `/bookings/:id`, and their strings in `OrderMsg`, not in every first load (measured: a
 * lazy route of their own made `/book` 437 KB). The ceiling was 425,000. Parts for "any
 * store" took it from 422,350 to 425,529: their refusals (no parts, no address, not on
 * sale, still on their way, …) in the main wasm (+492), the link to the parts page and
 * its styles; the parts page itself is in the chunk of `/bookings/:id`. The ceiling was
 * 430,000. HQ's data administration (issue 13) took it from 427,737 to 430,988: the
 * translated refusals of a CSV row (unknown SKU, wrong header, three decimals, …) are in
 * the main wasm like every error, and the page's styles in the one stylesheet. The
 * ceiling is 434,000.
 * Loading the later booking steps as chunks of their own was measured and made the load
 * bigger (see the README).
 * Needs a release build made with `--split --precompress`, as scripts/test.sh makes.
 */
const SITE = path.resolve(__dirname, "../../target/site");

const FIRST_VISITS: [string, string, number][] = [
  ["the services page", "/", 300_000],
  ["sign-in", "/signin", 300_000],
  ["sign-up", "/signup", 300_000],
  ["booking", "/book", 434_000],
];

for (const [what, route, budget] of FIRST_VISITS) {
  test(`a first visit to ${what} (${route}) downloads at most ${budget} bytes of code and style`, async ({ page }) => {
    await open(page, route);
    // Hydration waits for the page's chunks, so by now the first load is complete; the
    // browser's resource timing lists every file it fetched.
    const fetched = await page.evaluate(() =>
      performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname),
    );

    const files = [...new Set(fetched.filter((p) => p.startsWith("/pkg/")))].sort();
    expect(files.some((f) => f.endsWith(".wasm")), "the page loaded its wasm").toBe(true);
    expect(files.some((f) => f.endsWith(".css")), "the page loaded its stylesheet").toBe(true);
    // Each page is its own chunk: a customer never downloads the staff surfaces' code.
    expect(files.filter((f) => /split___(kiosk|hq|policies|devices)_route_view/.test(f))).toEqual([]);

    let total = 0;
    const rows = files.map((f) => {
      const file = path.join(SITE, f);
      const br = `${file}.br`;
      expect(fs.existsSync(br), `${br} exists (release build with --precompress)`).toBe(true);
      const size = fs.statSync(br).size;
      total += size;
      return `${f.padEnd(60)} ${String(fs.statSync(file).size).padStart(10)} ${String(size).padStart(9)}`;
    });
    console.log(
      [`first load of ${route}: file, raw, brotli`, ...rows, `total brotli ${total} (budget ${budget})`].join("\n"),
    );
    expect(total, `brotli bytes of the first load of ${route}`).toBeLessThanOrEqual(budget);
  });
}

/**
 * The staff surfaces' first loads, as an iPad or a desktop at HQ fetches them, raw, gzip
 * and brotli (the README reports them). Each loads its own surface's chunk and no
 * customer page's; the ceiling keeps the kiosk quick to open on store Wi-Fi.
 *
 * The kiosk's ceiling was 500,000 until booking at the counter, the technician
 * suggestion, findings, the quality checklist and adjustments took it to about 560,000
 * (a kiosk loads it once and keeps it a year: the files are content-hashed and
 * immutable), and 600,000 until the store's settings and parts at the bay took it to
 * about 602,000. Splitting its sections into `#[lazy]` chunks was tried and measured worse:
 * 137 files, and every customer page grew by 20 to 37 KB (README). The online-order inbox
 * and the parts orders to hand over took it to 646,138; help between stores (a page of
 * its own with five actions and the rows they read back) to about 677,000; after-sales
 * follow-up (the morning queue with its six outcomes and the print slip, and the cases
 * page) to 722,458, and this month's class moves on the follow-up page to 730,898, and the
 * store's transfers (the list it shares with HQ, sending and receiving) to 762,716, so the
 * ceiling is 790,000. HQ's was 500,000 until HQ's table of help requests took it from
 * 490,795 to 504,208, and 510,000 until HQ's list of after-sales cases took it to 520,414
 * and its page of customers' stages and classes to 549,826, and 570,000 until the
 * segment builder with its campaigns and the after-sales figures with their charts took
 * it to 605,905, and 630,000 until the supply chain (the network matrix with its
 * forecast, the proposal with each line's reasoning, transfers and purchase orders) took
 * it to 691,741, and 720,000 until data administration (the CSV import with its progress
 * and refused rows, exports: 718,217) and the store KPIs (their tables and choices:
 * 727,357) took it past; with the customer map it is 760,000. The charts and the map
 * are drawn on the server: their cost is the tables and words, not a chart library.
 */
for (const [what, route, chunk, budget] of [
  ["the store kiosk", "/kiosk", "kiosk", 790_000],
  ["the HQ console", "/hq", "hq", 760_000],
] as const) {
  test(`a first visit to ${what} (${route}) loads its surface's chunk and stays under ${budget} bytes`, async ({ page }) => {
    await open(page, route);
    const fetched = await page.evaluate(() =>
      performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname),
    );
    const files = [...new Set(fetched.filter((p) => p.startsWith("/pkg/")))].sort();
    expect(files.some((f) => f.includes(`split___${chunk}_route_view`)), "its own chunk").toBe(true);
    expect(files.filter((f) => /split___(book|booking|garage|vehicle|home|sign_in|sign_up)_route_view/.test(f))).toEqual([]);
    const size = (f: string) => fs.statSync(path.join(SITE, f)).size;
    const [raw, gzip, brotli] = [0, 1, 2].map((i) =>
      files.reduce((sum, f) => sum + size([f, `${f}.gz`, `${f}.br`][i]), 0),
    );
    console.log(`first load of ${route}: ${files.length} files, raw ${raw}, gzip ${gzip}, brotli ${brotli}`);
    expect(brotli, `brotli bytes of the first load of ${route}`).toBeLessThanOrEqual(budget);
  });
}

test("going on from the services page to booking downloads the booking page's chunks and no other page's", async ({ page }) => {
  await open(page, "/");
  const pkgFiles = () =>
    page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .map((e) => new URL(e.name).pathname)
        .filter((p) => p.startsWith("/pkg/")),
    );
  const before = new Set(await pkgFiles());
  await page.locator('a[href="/book"]').first().click();
  await expect(page).toHaveURL(/\/book$/);
  await expect.poll(async () => (await pkgFiles()).some((f) => /split___book_route_view/.test(f))).toBe(true);
  const added = (await pkgFiles()).filter((f) => !before.has(f));
  const brotli = added.reduce((sum, f) => sum + fs.statSync(path.join(SITE, `${f}.br`)).size, 0);
  console.log(`from / to /book: ${added.length} more files, ${brotli} bytes brotli`);
  expect(added.filter((f) => /^\/pkg\/pitlane\./.test(f)), "the main bundle is not fetched again").toEqual([]);
  expect(added.filter((f) => /split___(?!book_)\w+_route_view/.test(f)), "no other page's chunk").toEqual([]);
});

test.describe("a page whose code was replaced by a new release", () => {
  // The panic of the failed chunk load is what this test provokes.
  test.use({
    allowedProblem:
      /load callback should succeed|^page error on \S+: unreachable$|status of 404.*split___book_route_view|HTTP status code is not ok.*__wasm_split/,
  });

  test("loads afresh instead of dying", async ({ page }) => {
    await open(page, "/");
    // The booking page's chunk is gone once, as if a release replaced it after this page loaded.
    await page.route(/split___book_route_view/, (route) => route.fulfill({ status: 404 }), { times: 1 });
    await page.evaluate(() => document.documentElement.removeAttribute("data-hydrated"));
    await page.locator('a[href="/book"]').first().click();
    // The page reloads and hydrates again, with the chunk fetched afresh.
    await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
    await expect(page).toHaveURL(/\/book$/);
    await page.locator('a[href="/"]').first().click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.locator("[data-service]").first()).toBeVisible();
  });
});
