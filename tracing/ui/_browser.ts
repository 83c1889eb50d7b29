/**
 * Folder-private: drives Debian's chromium (`/usr/bin/chromium`, no browser download) through
 * playwright-core, records console errors, page errors and dialogs, and saves screenshots under
 * `test_output/screenshots/`.
 */
import { type Browser, chromium, type Page } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOTS = new URL("../../test_output/screenshots/", import.meta.url);

/** An open browser page on the tracing service. */
export interface BrowserPage {
  page: Page;
  /** Console errors and uncaught page errors so far. */
  problems: string[];
  /** Messages of every dialog (alert, confirm, prompt) a page opened. */
  dialogs: string[];
  /** Saves a full-page screenshot as `<name>.png` and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Launches chromium headless with a fresh profile and opens a laptop-sized page. */
export async function openBrowser(baseUrl: string): Promise<BrowserPage> {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new Error(`${CHROMIUM} is missing: install it with "apt-get install -y chromium"`);
  }
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    const context = await browser.newContext({
      baseURL: baseUrl,
      viewport: { width: 1440, height: 900 },
    });
    const page = await context.newPage();
    const problems: string[] = [];
    const dialogs: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()} (${page.url()})`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message} (${page.url()})`));
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss().catch(() => {});
    });
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    return {
      page,
      problems,
      dialogs,
      async screenshot(name) {
        const path = new URL(`${name}.png`, SCREENSHOTS).pathname;
        await page.screenshot({ path, fullPage: true });
        return path;
      },
      close: () => browser.close(),
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}
