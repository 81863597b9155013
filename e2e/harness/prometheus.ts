import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./gateway.ts";
import { requireBinary, startServer } from "./system-server.ts";

export interface ScrapeTarget {
  port: number;
  path: string;
  /** The gateway token, sent as `Authorization: Bearer <token>` (from a file, as operators do). */
  token: string;
}

export interface RunningPrometheus {
  readonly url: string;
  /** The numeric result of an instant query's single sample, or undefined when it has none. */
  query(expr: string): Promise<number | undefined>;
  stop(): Promise<void>;
}

/** A throwaway Prometheus on loopback scraping one target every second. */
export async function startPrometheus(
  dir: string,
  target: ScrapeTarget,
): Promise<RunningPrometheus> {
  const binary = requireBinary("prometheus", "prometheus");
  mkdirSync(join(dir, "data"), { recursive: true });
  const tokenFile = join(dir, "gateway-token");
  writeFileSync(tokenFile, target.token, { mode: 0o600 });
  const configFile = join(dir, "prometheus.yml");
  writeFileSync(
    configFile,
    [
      "global:",
      "  scrape_interval: 1s",
      "scrape_configs:",
      "  - job_name: openclaw-gateway",
      `    metrics_path: ${target.path}`,
      "    authorization:",
      "      type: Bearer",
      `      credentials_file: ${tokenFile}`,
      "    static_configs:",
      `      - targets: ["127.0.0.1:${target.port}"]`,
      "",
    ].join("\n"),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startServer({
    label: "prometheus",
    command: binary,
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    logFile: join(dir, "prometheus.log"),
    ready: async () => (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok === true,
  });
  return {
    url,
    query: async (expr) => {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`, {
        signal: AbortSignal.timeout(5_000),
      });
      const body = (await response.json()) as {
        status: string;
        data?: { result?: Array<{ value?: [number, string] }> };
      };
      if (body.status !== "success") throw new Error(`prometheus query failed: ${expr}`);
      const value = body.data?.result?.[0]?.value?.[1];
      return value === undefined ? undefined : Number(value);
    },
    stop: () => server.stop(),
  };
}
