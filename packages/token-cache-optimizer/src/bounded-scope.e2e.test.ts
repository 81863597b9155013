import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { openDatabase } from "@cloudsigma/taas-core/sqlite";
import type { RecordedRequest } from "@cloudsigma/taas-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chatCompletionsTurn,
  type Host,
  ledgerPlugin,
  optimizerPlugin,
  startHost,
  tearDownHost,
  waitFor,
} from "../../../e2e/harness/index.ts";
import { shardIdentity, workspaceIdentity } from "./affinity-id.ts";
import { installKeyPath } from "./install-key.ts";

// The bounded scope in the real host: with a bound of one request a minute, the agent's first
// session takes the workspace id (shard 0) and a second session started within the minute goes
// on shard 1; both keep their id on their next turn. The emulator records the wire, the ledger
// the shard.

const TOKEN = "bounded-scope-token";

describe("affinityScope bounded in the real host", () => {
  let host: Host;
  let workspace: string;
  const chats = (): RecordedRequest[] =>
    host.emulator.requests().filter((r) => r.path === "/v1/chat/completions");

  beforeAll(async () => {
    host = await startHost({
      name: "bounded-scope",
      emulator: { profile: "documented", replicas: 4 },
      config: async ({ state }) => {
        workspace = join(state.dir, "ws-main");
        await mkdir(workspace, { recursive: true });
        return {
          agents: [{ id: "main", workspace }],
          chatCompletions: true,
          plugins: [
            ledgerPlugin(),
            optimizerPlugin({
              affinityScope: "bounded",
              boundedLoad: { requestsPerMinute: 1, maxShards: 4 },
            }),
          ],
        };
      },
      // A 2-core machine shared with other runs can take minutes to start a gateway.
      gateway: { token: TOKEN, readyTimeoutMs: 240_000 },
    });
  }, 300_000);

  afterAll(() => tearDownHost(host));

  it("sends a second session on shard 1 past the bound, and the ledger names each call's shard", async () => {
    const gateway = { port: host.gateway?.port ?? 0, token: TOKEN };
    await chatCompletionsTurn(gateway, "main", "bounded-s1", "Summarise the plan.");
    await chatCompletionsTurn(gateway, "main", "bounded-s2", "List three risks.");
    await chatCompletionsTurn(gateway, "main", "bounded-s1", "Which one matters most?");

    const key = readFileSync(installKeyPath(host.state.dir), "utf8").trim();
    const base = workspaceIdentity(key, workspace);
    const shard1 = shardIdentity(key, base, 1).id;
    const wire = chats().map((r) => [
      r.headers["x-session-id"],
      (r.body as { metadata?: { session_id?: string } }).metadata?.session_id,
      r.matchReason,
    ]);
    expect(wire).toEqual([
      [base.id, base.id, "external_id_new"],
      [shard1, shard1, "external_id_new"],
      [base.id, base.id, "external_id"],
    ]);

    const ledger = join(host.state.dir, "usage-ledger", "ledger.sqlite");
    const rows = await waitFor(
      "the ledger's three call rows",
      () => {
        try {
          const db = openDatabase(ledger, { readOnly: true });
          try {
            const found = db
              .prepare(
                "SELECT affinity_id, affinity_shard FROM usage_rows WHERE granularity = 'call' ORDER BY ts",
              )
              .all();
            return found.length >= 3 ? found : undefined;
          } finally {
            db.close();
          }
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 20_000 },
    );
    expect(rows.map((r) => [r.affinity_id, r.affinity_shard])).toEqual([
      [base.id, 0],
      [shard1, 1],
      [base.id, 0],
    ]);
  }, 240_000);
});
