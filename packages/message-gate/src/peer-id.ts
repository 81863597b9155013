/**
 * Peer and sender ids as the gate compares them.
 *
 * First every id is cleaned: invisible formatting characters (zero-width spaces and joiners,
 * bidi marks and isolates, the byte-order mark) are dropped, since a number copied from a
 * contact card or a chat often carries them, and digits of any script (Arabic-Indic,
 * full-width, ...) become ASCII digits, since phones type a number in the user's own digits.
 *
 * Then phone-like ids are normalised to "+digits" (every non-digit dropped, a leading "+"),
 * because operators and channels spell one number several ways: "+1 (555) 010-2000",
 * "whatsapp:+15550102000" and the WhatsApp user JID "15550102000@s.whatsapp.net" are one peer
 * (full-width "＋" and brackets count as their ASCII forms there).
 * Session keys ("agent:main:main", "global", "cron:<job>", "hook:<id>", ...) are never
 * phone-like, even when a job id is all digits: a cron session must not collide with a phone
 * number. Anything else (Discord snowflakes, Slack ids, "cli") is only trimmed: stripping its
 * non-digits would make unrelated ids collide, which a gate must never do.
 *
 * A peer is compared in the host's canonical form: the host lower-cases session keys, so peers
 * are compared lower-cased (at worst a peer is protected under two spellings, never none).
 */

// U+200B-U+200F (zero-width space, joiners, LRM/RLM), U+202A-U+202E (bidi embeddings and
// overrides), U+2066-U+2069 (bidi isolates), U+FEFF (byte-order mark / zero-width no-break).
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;
const DECIMAL_DIGIT = /\p{Nd}/gu;
const IS_DECIMAL_DIGIT = /^\p{Nd}$/u;

// An optional scheme ("tel:", "whatsapp:"), an optional "+", digits with the usual separators,
// and optionally a WhatsApp user domain (group JIDs, "@g.us", are not phone numbers).
const PHONE_LIKE = /^(?:[a-z][a-z0-9.+-]*:)?\+?[\d\s().-]+(?:@(?:s\.whatsapp\.net|c\.us))?$/i;
// The host's session keys: agent sessions, the global session, automation and internal runs.
const SESSION_KEY = /^(?:global$|(?:agent|cron|hook|subagent|acp):)/i;
// E.164 numbers have at most 15 digits; fewer than 7 is a short code or an id, not a phone.
const MIN_DIGITS = 7;
const MAX_DIGITS = 15;

/**
 * Unicode keeps each script's digits 0-9 as one run of ten code points (some scripts' runs
 * follow each other directly), so a digit's value is its distance from the start of its run,
 * modulo ten.
 */
function asciiDigit(digit: string): string {
  const code = digit.codePointAt(0) ?? 0;
  let start = code;
  while (start > 0 && IS_DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start -= 1;
  return String((code - start) % 10);
}

/** The id without invisible characters, with ASCII digits, trimmed. */
export function cleanId(value: string | undefined | null): string {
  return (value ?? "").replace(INVISIBLE, "").replace(DECIMAL_DIGIT, asciiDigit).trim();
}

export function isSessionKey(value: string): boolean {
  return SESSION_KEY.test(cleanId(value));
}

/**
 * The id as a phone number is compared: compatibility forms folded (NFKC), so a number typed
 * with full-width "＋", brackets or spaces reads as one. Only phone-like ids are compared in
 * this form; folding any other id could make two distinct ids equal.
 */
const phoneForm = (value: string | undefined | null) => cleanId(value).normalize("NFKC");

export function isPhoneLike(value: string): boolean {
  const folded = phoneForm(value);
  if (SESSION_KEY.test(folded) || !PHONE_LIKE.test(folded)) return false;
  const digits = localPart(folded).replace(/\D+/g, "").length;
  return digits >= MIN_DIGITS && digits <= MAX_DIGITS;
}

/** A sender id as compared with `allowedFrom`: cleaned, phone-like ids as "+digits". */
export function normalizePeerId(value: string | undefined | null): string {
  if (!isPhoneLike(value ?? "")) return cleanId(value);
  return `+${localPart(phoneForm(value)).replace(/\D+/g, "")}`;
}

/** A peer (conversation) id in the canonical form `protectedTo` and the ledger use. */
export function peerKey(value: string | undefined | null): string {
  return normalizePeerId(value).toLowerCase();
}

/**
 * Why a configured id can never equal an id the host reports, or undefined when it can: an
 * entry that is empty once cleaned, or one with spaces or control characters that is not a
 * phone number (no channel id or session key has them).
 */
export function unmatchableReason(entry: string): string | undefined {
  const normalized = normalizePeerId(entry);
  if (normalized === "") return "is empty once invisible characters and spaces are removed";
  if (/[\s\p{Cc}]/u.test(normalized)) {
    return "has spaces or control characters but is not a phone number of 7 to 15 digits";
  }
  return undefined;
}

function localPart(id: string): string {
  return id.replace(/@.*$/, "").replace(/^[a-z][a-z0-9.+-]*:/i, "");
}
