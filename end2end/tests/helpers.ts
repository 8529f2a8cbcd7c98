import { expect, Page } from "@playwright/test";

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
