import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createEmulator } from "./emulator.ts";
import type { EmulatorHandler, RunningEmulator, StartOptions } from "./types.ts";

/**
 * Wraps the incoming body in a web stream by hand rather than with Readable.toWeb: cancelling
 * (as the 413 path does) must only stop reading, not destroy the socket the error reply needs.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Buffer) => {
        if (cancelled) return;
        controller.enqueue(new Uint8Array(chunk));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.on("end", () => {
        if (!cancelled) controller.close();
      });
      req.on("error", (error) => {
        if (!cancelled) controller.error(error);
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      cancelled = true;
      req.resume();
    },
  });
}

function toRequest(req: IncomingMessage, origin: string, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  // Concatenated rather than resolved, so a path like "//x" cannot become a host name.
  return new Request(`${origin}${req.url ?? "/"}`, {
    method,
    headers,
    signal,
    ...(hasBody ? { body: bodyStream(req), duplex: "half" } : {}),
  });
}

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (res.destroyed) {
    await response.body?.cancel();
    return;
  }
  res.writeHead(response.status, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  // Send headers now so streaming clients see the response start before the first event.
  res.flushHeaders();
  const reader = response.body.getReader();
  res.on("close", () => {
    reader.cancel().catch(() => undefined);
  });
  for (;;) {
    const { done, value } = await reader.read();
    if (done || res.destroyed) break;
    if (!res.write(value)) {
      await new Promise<void>((resolve) => {
        res.once("drain", resolve);
        res.once("close", resolve);
      });
    }
  }
  res.end();
}

async function serve(
  handle: EmulatorHandler,
  origin: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const aborter = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) aborter.abort();
  });
  try {
    await writeResponse(await handle(toRequest(req, origin, aborter.signal)), res);
    // An early answer (413, 401) leaves body bytes unread; drain them so a keep-alive
    // connection can carry the next request.
    if (!req.complete) req.resume();
  } catch {
    // The handler answers every error itself; this only catches a client vanishing mid-write.
    if (res.destroyed) return;
    if (!res.headersSent) res.writeHead(500);
    res.end();
  }
}

/** Starts the emulator on node:http (127.0.0.1 and an ephemeral port unless told otherwise). */
export async function startEmulator(options: StartOptions = {}): Promise<RunningEmulator> {
  const emulator = createEmulator(options);
  const host = options.host ?? "127.0.0.1";
  let origin = "";
  const server = createServer((req, res) => {
    void serve(emulator.handle, origin, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") {
    server.close();
    throw new Error("taas-emulator: server is not listening on a TCP port");
  }
  const { port } = address;
  origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      // Keep-alive and streaming connections would otherwise hold the port open.
      server.closeAllConnections();
    });
    return closing;
  };
  return {
    url: `${origin}/v1`,
    origin,
    port,
    close,
    requests: emulator.requests,
    stats: emulator.stats,
    reset: emulator.reset,
    drain: emulator.drain,
  };
}
