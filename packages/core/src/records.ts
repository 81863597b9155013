/** A plain JSON-like object (not null, not an array): what config, payloads and rows arrive as. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
