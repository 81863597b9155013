#!/usr/bin/env node
import { errorText } from "@cloudsigma/taas-core/error-text";
import { parseCliArgs, USAGE, UsageError } from "./cli-args.ts";
import { DEFAULT_API_KEY } from "./options.ts";
import { DEFAULT_PROFILE } from "./profiles.ts";
import { startEmulator } from "./server.ts";

async function main(): Promise<void> {
  let command: ReturnType<typeof parseCliArgs>;
  try {
    command = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`taas-emulator: ${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (command.kind === "help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator(command.options);
  } catch (error) {
    const message = errorText(error);
    process.stderr.write(`taas-emulator: cannot start: ${message}\n`);
    process.exit(1);
  }
  const stop = (signal: NodeJS.Signals): void => {
    process.stderr.write(`taas-emulator: ${signal} received, shutting down\n`);
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  // Printed only after the signal handlers exist: whoever reads this line may signal at once.
  const key = command.options.apiKey ?? DEFAULT_API_KEY;
  const profile = command.options.profile ?? DEFAULT_PROFILE;
  process.stdout.write(
    `TaaS emulator listening on ${emulator.url} (api key: ${key}; profile: ${profile})\n`,
  );
}

await main();
