import type { PromptPrefix } from "@cloudsigma/taas-core/contracts/route-store";

/** Where two prompts of one conversation part, by the optimizer's digests of their segments. */
export interface SharedPrefix {
  /** Every segment of the previous prompt is where it was. */
  whole: boolean;
  /** Characters of the previous prompt before the first difference, of `ofChars`. */
  chars: number;
  ofChars: number;
  where: "prefix_tools" | "prefix_system" | "prefix_history";
  /** Index of the first differing message (after the tools). */
  message: number;
}

export function sharedPrefix(previous: PromptPrefix, current: PromptPrefix): SharedPrefix {
  const before = previous.segments;
  const after = current.segments;
  let index = 0;
  let chars = 0;
  while (
    index < before.length &&
    index < after.length &&
    before[index]?.[0] === after[index]?.[0]
  ) {
    chars += before[index]?.[1] ?? 0;
    index++;
  }
  const ofChars = Math.max(
    1,
    before.reduce((sum, [, length]) => sum + length, 0),
  );
  // A prompt kept only in part (very long conversations) counts as whole when the kept part is.
  const whole = index === before.length;
  const tools = Math.min(previous.tools, current.tools);
  const message = index - Math.max(previous.tools, current.tools);
  const where =
    index < tools || previous.tools !== current.tools
      ? "prefix_tools"
      : message < Math.max(previous.system, current.system)
        ? "prefix_system"
        : "prefix_history";
  return { whole, chars, ofChars, where, message: Math.max(0, message) };
}
