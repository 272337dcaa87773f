import { existsSync } from "node:fs";
import type { Browser } from "playwright-core";

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
