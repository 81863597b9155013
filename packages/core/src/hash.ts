import { createHash, createHmac } from "node:crypto";

/** Lower-case hex SHA-256 of a UTF-8 string. */
export function sha256Hex(input: string): string {
  return createHash("sha256").update(input, "utf8").digest("hex");
}

/** The first `length` hex characters of SHA-256: a short, stable, non-reversible label. */
export function shortHash(input: string, length = 16): string {
  return sha256Hex(input).slice(0, length);
}

/**
 * The first `length` hex characters of HMAC-SHA256 under `key`: like shortHash, but a label
 * nobody can reverse by hashing a dictionary of likely inputs without the key.
 */
export function keyedHash(key: string, input: string, length = 16): string {
  return createHmac("sha256", key).update(input, "utf8").digest("hex").slice(0, length);
}
