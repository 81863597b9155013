import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";

export interface JsonlLogOptions {
  path: string;
  /** Rotate before a write would take the file past this many bytes. */
  maxBytes: number;
  /** Rotated generations kept beside the live file (`<path>.1` newest .. `<path>.<n>`). */
  maxFiles: number;
  onError?: (error: unknown) => void;
}

/**
 * An append-only JSON Lines file, private to the user (0600 in a 0700 directory), rotated by
 * size. Lines are buffered and written on the next tick (callers may be on a synchronous host
 * hook), and `flush()` writes whatever is buffered at once (shutdown, process exit).
 */
export class JsonlLog {
  private buffer: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly options: JsonlLogOptions;

  constructor(options: JsonlLogOptions) {
    this.options = options;
  }

  get path(): string {
    return this.options.path;
  }

  append(value: unknown): void {
    this.buffer.push(`${JSON.stringify(value)}\n`);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), 0);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0) return;
    const lines = this.buffer;
    this.buffer = [];
    try {
      mkdirSync(dirname(this.options.path), { recursive: true, mode: 0o700 });
      let chunk = "";
      let size = this.currentSize();
      for (const line of lines) {
        const bytes = Buffer.byteLength(line);
        if (
          size + Buffer.byteLength(chunk) + bytes > this.options.maxBytes &&
          size + chunk.length > 0
        ) {
          this.write(chunk);
          chunk = "";
          this.rotate();
          size = 0;
        }
        chunk += line;
      }
      this.write(chunk);
    } catch (error) {
      this.options.onError?.(error);
    }
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
