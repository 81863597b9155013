import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { freePort } from "./gateway.ts";
import { type RunningServer, requireBinary, startServer } from "./system-server.ts";
import { waitFor } from "./wait.ts";

/*
 * A throwaway PostgreSQL on 127.0.0.1 for the fleet tests: initdb into a fresh temp dir, trust
 * auth on loopback only, stopped by PID and removed afterwards. PostgreSQL refuses to run as
 * root, so under root (CI) the cluster belongs to the `postgres` user Debian's package creates
 * and the server runs through `runuser`.
 */

export interface RunningPostgres {
  /** A connection URL for the superuser `postgres`, database `postgres`. */
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM: a fast shutdown); `start` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Kills the server and its backends at once (SIGKILL: a crash; the next start recovers). */
  kill(): Promise<void>;
  /** Stops it and removes its data dir. */
  remove(): Promise<void>;
}

function binDir(): string {
  const root = "/usr/lib/postgresql";
  let versions: string[] = [];
  try {
    versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  } catch {
    // No Debian layout: fall back to PATH.
  }
  return join(root, versions[0] ?? "none", "bin");
}

/** `settings`: extra server settings (`-c name=value`), e.g. the fleet bench's memory sizes. */
export async function startPostgres(
  settings: Readonly<Record<string, string>> = {},
): Promise<RunningPostgres> {
  const bin = binDir();
  const initdb = requireBinary("initdb", "postgresql", [bin]);
  const postgres = requireBinary("postgres", "postgresql", [bin]);
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), "ocsuite-pg-"));
  const data = join(dir, "data");
  const run = (command: string, args: string[]) =>
    asRoot
      ? { command: "runuser", args: ["-u", "postgres", "--", command, ...args] }
      : { command, args };
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const init = run(initdb, [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth=trust",
    "--no-sync",
    "-E",
    "UTF8",
  ]);
  try {
    execFileSync(init.command, init.args, { stdio: "pipe" });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString("utf8") ?? "";
    throw new Error(`initdb failed: ${stderr.slice(-1500)}`, { cause: error });
  }
  const port = await freePort();
  let server: RunningServer | undefined;
  const start = async () => {
    const serve = run(postgres, [
      "-D",
      data,
      "-p",
      String(port),
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      `unix_socket_directories=${dir}`,
      "-c",
      "fsync=off",
      ...Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
    ]);
    server = await startServer({
      label: "postgres",
      command: serve.command,
      args: serve.args,
      // Beside the data dir, so removing the cluster removes its log too.
      logFile: join(dir, "postgres.log"),
      ready: (output) => /database system is ready to accept connections/.test(output),
    });
  };
  await start();
  const stop = async () => {
    await server?.stop();
    server = undefined;
  };
  const kill = async () => {
    if (!server) return;
    // Under root the postmaster runs beneath runuser, outside the wrapper's process group: take
    // its PID from its lock file and kill it with every backend it forked, as a crash would.
    const postmaster = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
    const backends = execFileSync("ps", ["-o", "pid=", "--ppid", String(postmaster)], {
      encoding: "utf8",
    })
      .split("\n")
      .map(Number)
      .filter((pid) => pid > 0);
    for (const pid of [postmaster, ...backends]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    await stop();
    // A new postmaster refuses the data dir while any old backend still holds its shared memory.
    await waitFor("the killed PostgreSQL's processes gone", () =>
      [postmaster, ...backends].every((pid) => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      }),
    );
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start,
    kill,
    remove: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
