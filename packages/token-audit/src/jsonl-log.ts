import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";

export interface JsonlLogOptions {
  path: string;
  /** Rotate before a write would take the file past this many bytes. */
  maxBytes: number;
  /** Rotated generations kept beside the live file (`<path>.1` newest .. `<path>.<n>`). */
  maxFiles: number;
  onError?: (error: unknown) => void;
  /** Lines kept in memory while the file cannot be written; past it the oldest go, counted. */
  maxBufferedLines?: number;
  /** Wait before retrying after a failed write. */
  retryDelayMs?: number;
}

/**
 * An append-only JSON Lines file, private to the user (0600 in a 0700 directory), rotated by
 * size. Lines are buffered and written on the next tick (callers may be on a synchronous host
 * hook), and `flush()` writes whatever is buffered at once (shutdown, process exit). A failed
 * write (disk full, a permission change) keeps the unwritten lines and retries later.
 */
export class JsonlLog {
  private buffer: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly options: JsonlLogOptions;
  private readonly maxBufferedLines: number;
  private dropped = 0;

  constructor(options: JsonlLogOptions) {
    this.options = options;
    this.maxBufferedLines = options.maxBufferedLines ?? 10_000;
  }

  /** Lines waiting to be written. */
  get pending(): number {
    return this.buffer.length;
  }

  get path(): string {
    return this.options.path;
  }

  append(value: unknown): void {
    this.buffer.push(`${JSON.stringify(value)}\n`);
    if (this.buffer.length > this.maxBufferedLines) {
      this.buffer.shift();
      this.dropped += 1;
      if (this.dropped === 1 || this.dropped % 1000 === 0) {
        this.options.onError?.(
          new Error(
            `${this.options.path} cannot be written and ${this.maxBufferedLines} lines are waiting: dropped ${this.dropped} oldest line(s) so far`,
          ),
        );
      }
    }
    this.schedule(0);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0) return;
    const lines = this.buffer;
    this.buffer = [];
    // Lines [0, written) reached the file; on a failure the rest go back to the front.
    let written = 0;
    try {
      mkdirSync(dirname(this.options.path), { recursive: true, mode: 0o700 });
      let chunk = "";
      let inChunk = 0;
      let size = this.currentSize();
      for (const line of lines) {
        const bytes = Buffer.byteLength(line);
        if (
          size + Buffer.byteLength(chunk) + bytes > this.options.maxBytes &&
          size + chunk.length > 0
        ) {
          this.write(chunk);
          written += inChunk;
          chunk = "";
          inChunk = 0;
          this.rotate();
          size = 0;
        }
        chunk += line;
        inChunk += 1;
      }
      this.write(chunk);
      written += inChunk;
    } catch (error) {
      this.buffer = [...lines.slice(written), ...this.buffer];
      this.options.onError?.(error);
      this.schedule(this.options.retryDelayMs ?? 1_000);
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), delayMs);
    this.timer.unref();
  }

  private currentSize(): number {
    try {
      return statSync(this.options.path).size;
    } catch {
      return 0;
    }
  }

  private write(chunk: string): void {
    if (chunk) appendFileSync(this.options.path, chunk, { mode: 0o600 });
  }

  private rotate(): void {
    const { path, maxFiles } = this.options;
    rmSync(`${path}.${maxFiles}`, { force: true });
    for (let generation = maxFiles - 1; generation >= 1; generation--) {
      if (existsSync(`${path}.${generation}`))
        renameSync(`${path}.${generation}`, `${path}.${generation + 1}`);
    }
    if (existsSync(path)) renameSync(path, `${path}.1`);
  }
}
