import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../../../../test-support/temp-dirs.ts";
import { createReportHandler, REPORT_METHOD } from "./method.ts";

const dir = useTempDirs("report-method");

/** Calls the method as the gateway would, and resolves with what it responded. */
function call(params: unknown) {
  const handler = createReportHandler({
    dbPath: () => join(dir(), "ledger.sqlite"),
    flush: () => {},
  });
  return new Promise<{ ok: boolean; payload: unknown; error: unknown }>((resolve) => {
    const respond = (ok: boolean, payload?: unknown, error?: unknown) =>
      resolve({ ok, payload, error });
    void handler({ params, respond } as unknown as Parameters<typeof handler>[0]);
  });
}

describe(`${REPORT_METHOD} params`, () => {
  it.each<[string, unknown]>([
    ["none", undefined],
    ["an empty object", {}],
    ["every flag", { by: "model", since: "1d", until: "now", limit: 5, agent: "main" }],
  ])("answers the report for %s", async (_label, params) => {
    expect(await call(params)).toMatchObject({ ok: true, payload: { rows: [] } });
  });

  it("refuses a param it does not take by name, instead of answering the default report", async () => {
    expect(await call({ group: "model", since: "1h" })).toEqual({
      ok: false,
      payload: undefined,
      error: {
        code: "INVALID_REQUEST",
        message: `${REPORT_METHOD} expects params {by?, since?, until?, limit?, agent?}; unknown param(s): "group"`,
      },
    });
  });

  it.each<[string, unknown, RegExp]>([
    ["several unknown names, quoted short", { ["x".repeat(500)]: 1, y: 2 }, /: "x{100}…"$/],
    ["params that are not an object", ["by", "model"], /expects params \{by\?/],
    ["a string", "by=model", /expects params \{by\?/],
  ])("refuses %s", async (_label, params, message) => {
    const answer = await call(params);
    expect(answer).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST" } });
    expect((answer.error as { message: string }).message).toMatch(message);
  });
});
