import { sha256Hex } from "@cloudsigma/taas-core/hash";

/**
 * Task text as the plugin keeps and repeats it. Tasks come from the model and the user, so
 * what is stored or put back into a prompt is bounded and cannot pose as the plugin's own
 * markup; and a failing task is budgeted as one chain however the model re-words its respawn.
 */

/** The most task text stored or injected: enough for any real brief, bounded for a prompt. */
export const TASK_MAX_BYTES = 4096;
const CUT_MARK = " …[cut]";

/** `text` cut to at most `maxBytes` of UTF-8 (on a character boundary, marked as cut). */
export function capText(text: string, maxBytes = TASK_MAX_BYTES): string {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  const budget = maxBytes - Buffer.byteLength(CUT_MARK, "utf8");
  let used = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, "utf8");
    if (used + size > budget) break;
    used += size;
    end += char.length;
  }
  return `${text.slice(0, end)}${CUT_MARK}`;
}

// "<orchestrator-retry>", "</ orchestrator_retry >", "&lt;/orchestrator-retry&gt;", full-width "＜".
const RETRY_TAG = /(?:<|&lt;|＜)(\s*\/?\s*orchestrator[\s_-]*retry)/gi;

/**
 * Text that cannot open or close an `<orchestrator-retry>` block: the tag's "<" becomes "‹".
 * A task that carried the tag could end the block early and smuggle its own instructions in,
 * or fake a retry request where the rules tell the model to respawn at once.
 */
export function neutralizeMarkup(text: string): string {
  return text.replace(RETRY_TAG, "‹$1");
}

/** One value as a line of injected text: no markup, one line, bounded. */
export function injectedLine(value: string, maxBytes = 200): string {
  return capText(neutralizeMarkup(value).replace(/\s+/g, " ").trim(), maxBytes);
}

/**
 * Words that say how to ask, not what to do: a respawn that adds "please try again" or
 * "retry:" is the same task. Articles and pronouns go too, so light re-wording keeps the family.
 */
const FILLER = new Set(
  (
    "a an the and or but to of for in on at by with from into this that these those it its " +
    "is are was were be been am i me my we us our you your he she they them their " +
    "please pls plz kindly just now then so can could would should will shall may might " +
    "do does did let lets try tried trying again retry retried retrying redo rerun respawn " +
    "once more one time last previous failed failure fail attempt another"
  ).split(" "),
);
/** How many content words name a task family: re-wording after them does not start a new chain. */
const FAMILY_WORDS = 6;

/**
 * The family of a task: lower-cased; quoted strings, ids and numbers dropped (a respawn that
 * names another file, count, attempt number or id is the same work); filler dropped; light
 * stemming ("fixing", "fixed" are "fix"); then the first words, sorted (so reordering them is
 * no new task). Two different tasks that share their first words share a budget: the safe
 * side, since the budget only limits automatic retries.
 */
export function taskFamily(task: string): string {
  const normalized = task
    .normalize("NFKC")
    .toLowerCase()
    .replace(/"[^"\n]*"|`[^`\n]*`|“[^”\n]*”|(?<=^|\s)'[^'\n]*'(?=\s|$|[.,;:!?])/g, " ")
    .replace(/\b(?=[\w-]*\d)[\w-]{6,}\b/g, " ")
    .replace(/\d+(?:st|nd|rd|th)?/g, " ");
  const words = normalized
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== "" && !FILLER.has(word))
    .map(stem);
  return words.slice(0, FAMILY_WORDS).sort().join(" ") || "(no task)";
}

/** Crude English stemming, enough that "fix", "fixes", "fixed" and "fixing" are one word. */
function stem(word: string): string {
  let base = word;
  for (const suffix of ["ing", "ed", "s"]) {
    if (suffix === "s" && base.endsWith("ss")) break;
    if (base.endsWith(suffix) && base.length - suffix.length >= 3) {
      base = base.slice(0, -suffix.length);
      break;
    }
  }
  return base.length > 3 && base.endsWith("e") ? base.slice(0, -1) : base;
}

/**
 * The retry budget key: one per failing task chain, the requester and the task's family. The
 * label, agent and model are left out on purpose: a respawn may change any of them and is
 * still the same work failing again.
 */
export function taskChainKey(requesterSessionKey: string, task: string): string {
  return sha256Hex(`${requesterSessionKey}\n${taskFamily(task)}`);
}
