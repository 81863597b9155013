import { createHash, randomBytes } from "node:crypto";

export function newRequestId(): string {
  return `req_${randomBytes(12).toString("hex")}`;
}

export function newTraceId(): string {
  return randomBytes(16).toString("hex");
}

export function newCompletionId(): string {
  return `chatcmpl-${randomBytes(12).toString("hex")}`;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
