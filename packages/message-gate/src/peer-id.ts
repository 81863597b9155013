/**
 * Peer and sender ids as the gate compares them. Phone-like ids are normalised to "+digits"
 * (every non-digit dropped, a leading "+"), because operators and channels spell one number
 * several ways: "+1 (555) 010-2000", "whatsapp:+15550102000" and the WhatsApp user JID
 * "15550102000@s.whatsapp.net" are one peer. Anything else (session
 * keys, Discord snowflakes, Slack ids, "cli") is only trimmed: stripping its non-digits would
 * make unrelated ids collide, which a gate must never do.
 */

// An optional scheme ("tel:", "whatsapp:"), an optional "+", digits with the usual separators,
// and optionally a WhatsApp user domain (group JIDs, "@g.us", are not phone numbers).
const PHONE_LIKE = /^(?:[a-z][a-z0-9.+-]*:)?\+?[\d\s().-]+(?:@(?:s\.whatsapp\.net|c\.us))?$/i;
// E.164 numbers have at most 15 digits; fewer than 7 is a short code or an id, not a phone.
const MIN_DIGITS = 7;
const MAX_DIGITS = 15;

export function isPhoneLike(value: string): boolean {
  const trimmed = value.trim();
  if (!PHONE_LIKE.test(trimmed)) return false;
  const local = trimmed.replace(/@.*$/, "").replace(/^[a-z][a-z0-9.+-]*:/i, "");
  const digits = local.replace(/\D+/g, "").length;
  return digits >= MIN_DIGITS && digits <= MAX_DIGITS;
}

export function normalizePeerId(value: string | undefined | null): string {
  const trimmed = (value ?? "").trim();
  if (!isPhoneLike(trimmed)) return trimmed;
  const local = trimmed.replace(/@.*$/, "").replace(/^[a-z][a-z0-9.+-]*:/i, "");
  return `+${local.replace(/\D+/g, "")}`;
}
