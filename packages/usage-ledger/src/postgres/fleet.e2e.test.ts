import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Host,
  ledgerPlugin,
  parseJsonOutput,
  type RunningPostgres,
  runAgentTurn,
  runOpenClaw,
  startHost,
  startPostgres,
  tearDownHost,
  waitFor,
} from "../../../../e2e/harness/index.ts";
import { readLedgerRows } from "../ledger-e2e.test-support.ts";
import { PG_SCHEMA_VERSION } from "./schema.ts";

const TABLE = "fleet_usage";

/**
 * A gateway whose usage-ledger forwards to the shared PostgreSQL as `gatewayId`, found by a URL
 * or by a libpq service (then `env` names the service file, as an operator would export it).
 */
const gateway = (
  name: string,
  gatewayId: string,
  target: { url: string } | { service: string },
  env?: Record<string, string>,
) =>
  startHost({
    name,
    emulator: { replicas: 1 },
    config: {
      plugins: [
        ledgerPlugin({
          postgres: { ...target, table: TABLE, gatewayId, batchSize: 2, intervalMs: 200 },
        }),
      ],
    },
    gateway: { token: `${gatewayId}-token`, env },
  });

describe("usage-ledger fleet: two gateways forward to one PostgreSQL", () => {
  let pg: RunningPostgres;
  let sql: ReturnType<typeof postgres>;
  const hosts: Record<string, Host> = {};
  let serviceDir = "";

  const localIds = (id: string) => {
    const host = hosts[id];
    if (!host) throw new Error(`no gateway ${id}`);
    return readLedgerRows(join(host.state.dir, "usage-ledger", "ledger.sqlite"))
      .map((row) => row.event_id)
      .sort();
  };
  const centralIds = async (id: string) =>
    (
      await sql<Array<{ event_id: string }>>`
        SELECT event_id FROM ${sql(TABLE)} WHERE gateway_id = ${id} ORDER BY event_id`
    ).map((row) => row.event_id);

  /** Every local row of both gateways is in the central table, exactly once. */
  const converged = () =>
    waitFor(
      "the central table equal to both local ledgers",
      async () => {
        for (const id of Object.keys(hosts)) {
          const local = localIds(id);
          const central = await centralIds(id).catch(() => undefined);
          if (!central || local.length === 0 || central.join() !== [...local].sort().join())
            return undefined;
        }
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );

  const turn = (id: string, message: string) => {
    const host = hosts[id];
    if (!host) throw new Error(`no gateway ${id}`);
    return runAgentTurn(host.state, { message, sessionKey: `agent:main:${id}` });
  };

  beforeAll(async () => {
    pg = await startPostgres();
    sql = postgres(pg.url, { max: 2, onnotice: () => {} });
    hosts["gw-a"] = await gateway("fleet-a", "gw-a", { url: pg.url });
    // Gateway B knows PostgreSQL only by a service in its pg_service.conf.
    serviceDir = await mkdtemp(join(tmpdir(), "fleet-service-"));
    const serviceFile = join(serviceDir, "pg_service.conf");
    const { hostname, port, username } = new URL(pg.url);
    const service = `[fleet]\nhost=${hostname}\nport=${port}\nuser=${username}\ndbname=postgres\n`;
    await writeFile(serviceFile, service, { mode: 0o600 });
    hosts["gw-b"] = await gateway(
      "fleet-b",
      "gw-b",
      { service: "fleet" },
      {
        PGSERVICEFILE: serviceFile,
      },
    );
  });

  afterAll(async () => {
    await sql?.end({ timeout: 2 });
    for (const host of Object.values(hosts)) await tearDownHost(host);
    await pg?.remove();
    if (serviceDir) await rm(serviceDir, { recursive: true, force: true });
  });

  it("forwards every row of both gateways once (B by a libpq service), with its gateway_id", async () => {
    await turn("gw-a", "First turn on gateway A.");
    await turn("gw-b", "First turn on gateway B.");
    await turn("gw-a", "Second turn on gateway A.");
    await converged();
    const [counts] = await sql<Array<{ rows: number; distinct: number }>>`
      SELECT count(*)::int AS rows, count(DISTINCT (gateway_id, event_id))::int AS distinct
      FROM ${sql(TABLE)}`;
    expect(counts?.rows).toBe(counts?.distinct);
    expect(counts?.rows).toBe(localIds("gw-a").length + localIds("gw-b").length);
    const [version] = await sql<Array<{ version: number }>>`
      SELECT version FROM usage_ledger_schema WHERE table_name = ${TABLE}`;
    expect(version?.version).toBe(PG_SCHEMA_VERSION);
  });

  it("keeps rows while PostgreSQL is down during a burst and sends them when it is back", async () => {
    await pg.stop();
    await Promise.all([
      turn("gw-a", "Burst turn 1 on A while the database is down."),
      turn("gw-b", "Burst turn 1 on B while the database is down."),
    ]);
    await turn("gw-a", "Burst turn 2 on A.");
    const a = hosts["gw-a"];
    await waitFor("gateway A's log line about the failed forwarding", () =>
      /forwarding to postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres#fleet_usage failed/.test(
        a?.gateway?.output() ?? "",
      ),
    );
    expect(a?.gateway?.output()).toMatch(/rows stay in the local ledger/);
    await pg.start();
    await converged();
  });

  it("resumes after a gateway restart without sending a row twice", async () => {
    const a = hosts["gw-a"];
    if (!a) throw new Error("no gateway A");
    await a.gateway?.stop();
    await a.startGateway();
    await turn("gw-a", "A turn after gateway A restarted.");
    await converged();
    const [dupes] = await sql<Array<{ n: number }>>`
      SELECT count(*)::int AS n FROM (SELECT event_id FROM ${sql(TABLE)}
        GROUP BY gateway_id, event_id HAVING count(*) > 1) AS d`;
    expect(dupes?.n).toBe(0);
  });

  it("report --pg totals equal the sum of both gateways' local reports, for every shape", async () => {
    type Totals = Record<string, number | null>;
    type Payload = { rows: Array<{ key: string | null } & Totals>; totals: Totals };
    const report = async (id: string, by: string, extra: string[] = []) => {
      const host = hosts[id === "central" ? "gw-a" : id];
      if (!host) throw new Error(`no gateway ${id}`);
      const args = ["usage-ledger", "report", "--by", by, "--since", "all", "--json", ...extra];
      const result = await runOpenClaw(host.state, args, { logName: `report-${id}-${by}` });
      return parseJsonOutput<Payload>(result, `report ${id} --by ${by}`);
    };
    const summed = ["calls", "ledgerRows", "input", "output", "cacheRead", "cacheWrite", "total"];
    for (const by of ["day", "model", "cause"]) {
      const [a, b, central] = await Promise.all([
        report("gw-a", by),
        report("gw-b", by),
        // Gateway A's own postgres config (--source postgres), or a URL given on the line.
        report(
          "central",
          by,
          by === "cause" ? ["--source", "postgres"] : ["--pg", pg.url, "--pg-table", TABLE],
        ),
      ]);
      for (const field of summed) {
        expect(central.totals[field], `${by} ${field}`).toBe(
          Number(a.totals[field]) + Number(b.totals[field]),
        );
      }
      expect(central.totals.costUsd).toBeCloseTo(
        Number(a.totals.costUsd) + Number(b.totals.costUsd),
        9,
      );
    }
    // The fleet's own shape: one row per gateway, each equal to that gateway's local totals.
    const [a, b, byGateway, mainA, mainB, mainCentral] = await Promise.all([
      report("gw-a", "day"),
      report("gw-b", "day"),
      report("central", "gateway", ["--source", "postgres"]),
      report("gw-a", "cause", ["--agent", "main"]),
      report("gw-b", "cause", ["--agent", "main"]),
      report("central", "cause", ["--source", "postgres", "--agent", "main"]),
    ]);
    expect(byGateway.rows.map((row) => row.key).sort()).toEqual(["gw-a", "gw-b"]);
    for (const [id, local] of [
      ["gw-a", a],
      ["gw-b", b],
    ] as const) {
      const row = byGateway.rows.find((r) => r.key === id);
      for (const field of summed) expect(row?.[field], `${id} ${field}`).toBe(local.totals[field]);
    }
    // --agent narrows the central report as it does the local one.
    expect(mainCentral.totals.calls).toBeGreaterThan(0);
    for (const field of summed) {
      expect(mainCentral.totals[field], `--agent main ${field}`).toBe(
        Number(mainA.totals[field]) + Number(mainB.totals[field]),
      );
    }
  });
});
