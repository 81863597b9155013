/**
 * Last line of defence for anything this plugin writes to a log: every occurrence of the key
 * becomes `[redacted]`. Messages are built without the key in the first place; this only makes
 * sure a future change (or an echoed gateway string) cannot leak it.
 */
export function redactSecret(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join("[redacted]");
}
