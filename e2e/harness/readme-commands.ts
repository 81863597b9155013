import { readFileSync } from "node:fs";

/**
 * A command as a README documents it, for a test that runs exactly what an operator would
 * copy: the first line of the README's bash blocks that contains `marker`, as the argv after
 * `openclaw`. Lines ending in `\` are joined first, words are split as a shell splits them
 * (single and double quotes), and a `$NAME` word is replaced from `vars`.
 */
export function readmeCommand(
  readmePath: string,
  marker: string,
  vars: Record<string, string> = {},
): string[] {
  const blocks = [...readFileSync(readmePath, "utf8").matchAll(/```bash\n([\s\S]*?)```/g)];
  for (const [, block = ""] of blocks) {
    const command = block
      .replace(/\\\n\s*/g, "")
      .split("\n")
      .find((line) => line.includes(marker));
    if (!command) continue;
    const words = [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map(
      ([, single, double, bare]) => single ?? double ?? bare ?? "",
    );
    const [program, ...args] = words.map((word) => vars[word] ?? word);
    if (program !== "openclaw") throw new Error(`not an openclaw command: ${command}`);
    return args;
  }
  throw new Error(`no bash command with ${JSON.stringify(marker)} in ${readmePath}`);
}
