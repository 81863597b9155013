import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type BrowserContext, chromium } from "playwright-core";

/** Debian's chromium: the test drives the system browser, never a downloaded one. */
export const CHROMIUM = "/usr/bin/chromium";

/** A fresh, quiet headless chromium with its own profile under `dir`. */
export async function launchChromium(dir: string): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: the Control UI test drives Debian's chromium. Install it with \`apt-get install -y chromium\` (.ci/run does this when it is missing).`,
    );
  return chromium.launchPersistentContext(await mkdtemp(join(dir, "chromium-")), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1100 },
    args: [
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-gpu",
      "--no-first-run",
    ],
  });
}

/** Every URL the context requested or opened a socket to, as the page saw them. */
export function recordRequests(context: BrowserContext): string[] {
  const urls: string[] = [];
  context.on("request", (request) => urls.push(request.url()));
  context.on("page", (page) => page.on("websocket", (socket) => urls.push(socket.url())));
  for (const page of context.pages()) page.on("websocket", (socket) => urls.push(socket.url()));
  return urls;
}

/** URLs that leave the gateway's origin (its http and ws forms); inline data is local. */
export function foreignRequests(urls: readonly string[], port: number): string[] {
  const own = [`http://127.0.0.1:${port}/`, `ws://127.0.0.1:${port}`];
  return urls.filter(
    (url) => !own.some((origin) => url.startsWith(origin)) && !/^(data|blob|about):/.test(url),
  );
}

/**
 * An older copy of the newest recorded call, `daysAgo` days back: a ledger that has been in
 * use for a while, so the 7-day range holds more than the last 24 hours.
 */
export function copyCallBack(ledger: string, daysAgo: number): void {
  const db = new DatabaseSync(ledger);
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    const columns = (db.prepare("PRAGMA table_info(usage_rows)").all() as Array<{ name: string }>)
      .map((c) => c.name)
      .filter((name) => name !== "id");
    const select = columns.map((name) =>
      name === "ts"
        ? `ts - ${daysAgo * 86_400_000}`
        : name === "event_id"
          ? "event_id || ':old'"
          : name,
    );
    db.exec(
      `INSERT INTO usage_rows (${columns.join(", ")})
       SELECT ${select.join(", ")} FROM usage_rows WHERE granularity = 'call' ORDER BY id DESC LIMIT 1`,
    );
  } finally {
    db.close();
  }
}
