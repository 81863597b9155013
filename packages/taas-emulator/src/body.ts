import { readCappedText } from "@cloudsigma/taas-core/capped-body";
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
  const text = await readCappedText(req.body, maxBytes);
  if (text === undefined) throw tooLarge(maxBytes);
  return text;
}
