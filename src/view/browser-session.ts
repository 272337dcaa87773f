import { existsSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";

/** Debian's Chromium, which `.ci/run` installs; playwright-core never downloads a browser. */
export const chromiumPath = "/usr/bin/chromium";

/**
 * Why browser tests cannot run here, or false when they can. Under CI=true a missing Chromium
 * is an error rather than a skip, so CI cannot pass without running them.
 */
export function browserSkipReason(): string | false {
  if (existsSync(chromiumPath)) return false;
  const reason = `${chromiumPath} not found (apt-get install -y chromium); browser tests skipped`;
  if (process.env["CI"] === "true") throw new Error(`CI=true: ${reason}`);
  process.stderr.write(`# ${reason}\n`);
  return reason;
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * A page in a fresh context (one per test), at `url`, once the viewer has rendered; a page
 * error fails the test.
 */
export async function openViewer(browser: Browser, url: string): Promise<Page> {
  const page = await (
    await browser.newContext({ viewport: { width: 1280, height: 800 } })
  ).newPage();
  page.on("pageerror", (error) => {
    throw new Error(`page error: ${error.message}`);
  });
  await page.goto(url);
  await page.waitForSelector("body[data-ready]");
  return page;
}

/**
 * A fresh context in which every request but `file://` is aborted, and the list of the URLs that
 * were: an export must open from disk with no network.
 */
export async function offlineContext(
  browser: Browser,
): Promise<{ context: BrowserContext; blocked: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const blocked: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file://")) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  return { context, blocked };
}
