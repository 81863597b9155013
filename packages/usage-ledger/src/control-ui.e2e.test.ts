import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  gatewayCall,
  type Host,
  ledgerPlugin,
  optimizerPlugin,
  REPO_ROOT,
  runAgentTurn,
  runOpenClaw,
  startHost,
  tearDownHost,
  waitFor,
} from "../../../e2e/harness/index.ts";
import {
  missedCostPageText,
  moneyText,
  percentText,
  readReport,
} from "./control-ui/report-figures.ts";
import { TODAY_WIDGET_ID, todaySince } from "./control-ui/widget-id.ts";
import {
  copyCallBack,
  foreignRequests,
  launchChromium,
  recordRequests,
} from "./control-ui.e2e.test-support.ts";
import { readLedgerRows } from "./ledger-e2e.test-support.ts";

// The Token cache page in the real Control UI, in Debian's chromium, against a gateway whose
// ledger holds real turns against the emulator: opened from the sidebar, its figures equal
// the report method's, and it shows nothing without the gateway token.

const TOKEN = "control-ui-token";
const SESSION = "agent:main:control-ui";
const README_SCREENSHOT = join(
  REPO_ROOT,
  "packages",
  "usage-ledger",
  "docs",
  "token-cache-page.png",
);
/** The README's picture is retaken on request only: every run's numbers and times differ. */
const screenshotPath = (host: Host) =>
  process.env.OCSUITE_UPDATE_SCREENSHOT === "1"
    ? README_SCREENSHOT
    : join(host.state.logs, "token-cache-page.png");

describe("the Token cache page in the Control UI", () => {
  let host: Host;
  let context: BrowserContext;
  let requests: string[];
  let port = 0;
  const turn = (message: string) => runAgentTurn(host.state, { message, sessionKey: SESSION });
  const report = async (by: string, since: string) =>
    readReport((await gatewayCall(host.state, "usage-ledger.report", { by, since })).json);

  beforeAll(async () => {
    host = await startHost({
      name: "control-ui",
      emulator: { replicas: 2 },
      config: ({ state }) => ({
        agents: [{ id: "main", workspace: join(state.dir, "workspace-main") }],
        plugins: [ledgerPlugin(), optimizerPlugin()],
      }),
      gateway: { token: TOKEN, start: false },
    });
    await mkdir(join(host.state.dir, "workspace-main"), { recursive: true });
    // The Control UI lab setting, as the README tells an operator to set it.
    const set = ["config", "set", "gateway.controlUi.experimental.customPlugins", "true"];
    const setResult = await runOpenClaw(host.state, set, { logName: "config-set" });
    expect(setResult.code, setResult.stderr).toBe(0);
    port = (await host.startGateway()).port;
    context = await launchChromium(host.state.dir);
    requests = recordRequests(context);
  });
  afterAll(async () => {
    await context?.close();
    await tearDownHost(host);
  });

  async function openFromSidebar(): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/#token=${TOKEN}`);
    await page.getByRole("link", { name: "Token cache" }).first().click({ timeout: 60_000 });
    await page.locator(".usage-ledger-tc[data-state=ready]").waitFor({ timeout: 60_000 });
    return page;
  }

  const figure = (page: Page, id: string) =>
    page.locator(`.usage-ledger-tc [data-figure=${id}] strong`).innerText();

  it("shows the ledger's figures for the range, its causes, and changes with the range", async () => {
    await turn("First turn: hello.");
    await turn("Second turn, same conversation.");
    const last = host.emulator
      .requests()
      .filter((r) => r.path === "/v1/chat/completions")
      .at(-1);
    host.emulator.drain([last?.replica ?? ""]);
    await turn("Third turn, after a replica drain.");
    await writeFile(join(host.state.dir, "workspace-main", "AGENTS.md"), "# Rules\nBe brief.\n");
    await turn("Fourth turn, with new agent rules.");
    const ledger = join(host.state.dir, "usage-ledger", "ledger.sqlite");
    await waitFor("four accounted ledger calls", () => {
      const rows = readLedgerRows(ledger, "granularity = 'call' AND miss_cause IS NOT NULL");
      return rows.length >= 4 ? rows : undefined;
    });
    copyCallBack(ledger, 3);

    const page = await openFromSidebar();
    const day = await report("agent", "24h");
    expect(day.totals.calls).toBeGreaterThan(0);
    expect(await figure(page, "hit")).toBe(percentText(day.totals.hitPercent));
    expect(await figure(page, "ideal")).toBe(percentText(day.totals.idealHitPercent));
    expect(await figure(page, "cost")).toBe(moneyText(day.totals, "cost"));
    expect(await figure(page, "calls")).toBe(String(day.totals.calls));

    const causes = (await report("cause", "24h")).rows
      .filter((row) => row.key !== null && row.lostTokens > 0)
      .map((row) => row.key);
    expect(causes.length).toBeGreaterThan(0);
    const shown = await page
      .locator(".usage-ledger-tc [data-chart=causes] li[data-cause]")
      .evaluateAll((items) => items.map((item) => item.getAttribute("data-cause")));
    expect([...shown].sort()).toEqual([...causes].sort());
    // What to do: per cause that lost tokens, its missed cost and the CLI's advice, word for word.
    expect(await figure(page, "missed")).toBe(missedCostPageText(day.totals));
    const advice = page.locator(".usage-ledger-tc [data-advice=causes] li[data-cause]");
    expect(await advice.count()).toBe(day.causes.length);
    for (const c of day.causes) {
      const line = await page
        .locator(`.usage-ledger-tc [data-advice=causes] li[data-cause="${c.cause}"]`)
        .innerText();
      expect(line).toContain(`${missedCostPageText(c)} missed.`);
      expect(line).toContain(c.advice ?? "");
    }
    expect(await page.locator(".usage-ledger-tc [data-chart=hit] canvas").count()).toBe(1);
    // The agent's top cause is the cause that lost it most tokens, as the report names it.
    const mainRow = page.locator(".usage-ledger-tc-table tbody tr[data-key=main]");
    const mainTop = day.rows.find((row) => row.key === "main")?.topCause;
    expect(mainTop).toBe(causes[0]);
    expect(await mainRow.locator("td").last().innerText()).toBe(mainTop);
    await page.locator(".usage-ledger-tc").screenshot({ path: screenshotPath(host) });

    await page.locator(".usage-ledger-tc button[data-range='7d']").click();
    await page.locator(".usage-ledger-tc[data-range='7d'][data-state=ready]").waitFor();
    const week = await report("agent", "7d");
    expect(week.totals.calls).toBe(day.totals.calls + 1);
    expect(await figure(page, "calls")).toBe(String(week.totals.calls));
    expect(await figure(page, "hit")).toBe(percentText(week.totals.hitPercent));
    expect(await figure(page, "cost")).toBe(moneyText(week.totals, "cost"));
    // Per model and per upstream too, each row's top cause is the report's.
    for (const grouping of ["model", "upstream"] as const) {
      await page.locator(`.usage-ledger-tc button[data-grouping=${grouping}]`).click();
      const rows = (await report(grouping, "7d")).rows.filter((row) => row.key !== null);
      expect(rows.some((row) => row.topCause !== null)).toBe(true);
      for (const row of rows) {
        const cell = page.locator(`.usage-ledger-tc-table tbody tr[data-key="${row.key}"] td`);
        expect(await cell.last().innerText(), `${grouping} ${row.key}`).toBe(row.topCause ?? "–");
      }
    }
    await page.close();

    expect(foreignRequests(requests, port)).toEqual([]);
  });

  it("links an agent's row to its sessions: the host opens its latest one in the chat", async () => {
    const page = await openFromSidebar();
    const before = page.url();
    await page.locator(".usage-ledger-tc-table a[data-sessions=main]").click();
    await page.waitForURL((url) => url.href !== before, { timeout: 30_000 });
    // The host's chat route for session agent:main:control-ui, the one these turns ran in.
    expect(new URL(page.url()).pathname).toBe("/chat/main/control-ui");
    await page.getByText("Fourth turn, with new agent rules.").first().waitFor({ timeout: 30_000 });
    await page.close();
  });

  it("puts today's hit %, ideal %, cost and saving on a session dashboard as a widget", async () => {
    const content = { kind: "plugin", pluginKind: `usage-ledger:${TODAY_WIDGET_ID}`, props: {} };
    const put = await gatewayCall(host.state, "board.widget.put", {
      sessionKey: SESSION,
      name: "token-cache",
      content,
    });
    expect(put.result.code, put.result.stderr).toBe(0);
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/dashboard/main/control-ui#token=${TOKEN}`);
    const widget = page.locator(".usage-ledger-tc-widget[data-state=ready]");
    await widget.waitFor({ timeout: 60_000 });
    const today = await report("agent", todaySince(new Date()));
    const shown = (id: string) => widget.locator(`[data-figure=${id}] strong`).innerText();
    expect(await shown("hit")).toBe(percentText(today.totals.hitPercent));
    expect(await shown("ideal")).toBe(percentText(today.totals.idealHitPercent));
    expect(await shown("cost")).toBe(moneyText(today.totals, "cost"));
    await page.close();
  });

  it("shows no ledger data to a browser without the gateway token", async () => {
    const page = await openFromSidebar();
    const pageUrl = page.url().replace(/#.*$/, "");
    await page.close();
    const stranger = await launchChromium(host.state.dir);
    try {
      const anonymous = await stranger.newPage();
      await anonymous.goto(pageUrl);
      // The host's own sign-in asks for the token; the plugin page never gets data.
      await anonymous.waitForLoadState("networkidle");
      await anonymous.waitForTimeout(3_000);
      expect(await anonymous.locator(".usage-ledger-tc [data-figure]").count()).toBe(0);
      expect(await anonymous.content()).not.toContain("Hit %");
      // What the host shows instead: its own sign-in, asking for the gateway secret.
      await anonymous.getByRole("button", { name: "Connect" }).waitFor({ timeout: 30_000 });
      expect(await anonymous.locator("body").innerText()).toContain("Gateway secret");
    } finally {
      await stranger.close();
    }
  });
});
