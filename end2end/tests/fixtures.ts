import { test as base, expect, BrowserContext, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

/**
 * What every spec imports instead of `@playwright/test`: the same `test` and `expect`,
 * with every page of every browser context watched for uncaught exceptions (a wasm
 * panic, a hydration error) and console errors. A test fails if any page had one.
 *
 * Console lines that report a 4xx answer of a server function are the app working as
 * designed (a refused sign-in, a bad plate): those are let through, and so is what a spec
 * provokes on purpose and names in `allowedProblem`. 5xx answers, failed scripts or
 * styles and every other console error fail the test.
 */
export const test = base.extend<{ pageProblems: string[]; allowedProblem: RegExp | undefined }>({
  /** Problems a spec causes on purpose (`test.use({ allowedProblem: /…/ })`). */
  allowedProblem: [undefined, { option: true }],
  pageProblems: [
    async ({ context, browser, allowedProblem }, use) => {
      const problems: string[] = [];
      const watch = (page: Page) => {
        page.on("pageerror", (e) => problems.push(`page error on ${page.url()}: ${e.message}`));
        page.on("console", (msg) => {
          if (msg.type() !== "error") return;
          const text = msg.text();
          const url = msg.location()?.url ?? "";
          const expectedRefusal =
            /Failed to load resource: the server responded with a status of 4\d\d/.test(text) &&
            (url.includes("/api/") || msg.location()?.url === page.url());
          if (!expectedRefusal) problems.push(`console error on ${page.url()}: ${text} (${url})`);
        });
      };
      const watchContext = (ctx: BrowserContext) => {
        ctx.pages().forEach(watch);
        ctx.on("page", watch);
      };
      watchContext(context);
      // Contexts a test opens itself (a second customer, the kiosk beside the web).
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (...args) => {
        const ctx = await newContext(...args);
        watchContext(ctx);
        return ctx;
      };
      await use(problems);
      browser.newContext = newContext;
      const unexpected = problems.filter((p) => !allowedProblem?.test(p));
      expect(unexpected, "no page error or console error").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Runs axe-core on the page as it is now; fails on any serious or critical violation. */
export async function expectAccessible(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`);
  expect(bad, `axe on ${what}`).toEqual([]);
}

export type { APIRequestContext, Browser, BrowserContext, Page } from "@playwright/test";
