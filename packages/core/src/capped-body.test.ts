import { describe, expect, it } from "vitest";
import { readCappedText } from "./capped-body.ts";

function stream(chunks: string[]): { body: ReadableStream<Uint8Array>; cancelled: () => boolean } {
  let cancelled = false;
  let index = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[index++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(new TextEncoder().encode(chunk));
    },
    cancel() {
      cancelled = true;
    },
  });
  return { body, cancelled: () => cancelled };
}

describe("readCappedText", () => {
  it("reads a body within the cap, multi-byte characters included", async () => {
    const { body } = stream(["hello ", "wörld"]);
    expect(await readCappedText(body, 12)).toBe("hello wörld");
  });

  it("stops and cancels the rest once the bytes received pass the cap", async () => {
    const { body, cancelled } = stream(["12345", "67890", "never read"]);
    expect(await readCappedText(body, 9)).toBeUndefined();
    expect(cancelled()).toBe(true);
  });

  it("reads a missing body as empty", async () => {
    expect(await readCappedText(null, 10)).toBe("");
  });
});
