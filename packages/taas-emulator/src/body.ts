import { ApiError } from "./errors.ts";

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, `Request body exceeds the limit of ${maxBytes} bytes.`, {
    code: "request_too_large",
  });
}

/**
 * Reads a request body, refusing more than `maxBytes`. The declared length is checked first so
 * an honest oversized upload is refused without reading it, and the bytes actually received
 * are counted too because the declaration can be missing or wrong.
 */
export async function readBodyText(req: Request, maxBytes: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (req.body === null) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
