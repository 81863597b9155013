import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_CATALOG } from "./catalog.ts";

const cliPath = fileURLToPath(new URL("./cli.ts", import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

function run(args: string[]): ChildProcess {
  const child = spawn(process.execPath, [cliPath, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  return child;
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf("\n");
      if (newline >= 0) resolve(buffer.slice(0, newline));
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code} before printing`)));
  });
}

async function collect(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stderr };
}

describe("taas-emulator CLI", () => {
  it("prints its URL and key, serves /v1/models, and exits on SIGTERM", async () => {
    const child = run(["--port", "0", "--replicas", "2", "--api-key", "cli-key"]);
    const line = await firstLine(child);
    const url = /(http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(line)?.[1];
    expect(url).toBeDefined();
    expect(line).toContain("cli-key");
    expect(line).toContain("profile: documented");
    const response = await fetch(`${url}/models`, { headers: { authorization: "Bearer cli-key" } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: unknown[] }).data).toHaveLength(
      DEFAULT_CATALOG.length,
    );
    const exited = collect(child);
    child.kill("SIGTERM");
    expect((await exited).code).toBe(0);
  });

  it("stops on SIGINT too", async () => {
    const child = run(["--port", "0", "--profile", "legacy"]);
    expect(await firstLine(child)).toContain("profile: legacy");
    const exited = collect(child);
    child.kill("SIGINT");
    expect((await exited).code).toBe(0);
  });

  it("rejects bad flags with a usage message and exit code 2, without a stack trace", async () => {
    const { code, stderr } = await collect(run(["--replicas", "zero"]));
    expect(code).toBe(2);
    expect(stderr).toContain("--replicas");
    expect(stderr).toContain("Usage:");
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
