#!/usr/bin/env node
// The quickest real-host check: in a temp state dir, the pinned OpenClaw loads every plugin's
// built dist/ (`openclaw plugins inspect --all --runtime --json`, one host process) and each
// plugin must come back loaded with no diagnostics. `npm run smoke` builds first;
// `npm run smoke -- usage-ledger` checks one folder.
import {
  createStateDir,
  inspectAllPlugins,
  reapStateDirProcesses,
  writeHostConfig,
} from "../e2e/harness/index.ts";
import { pluginPackages } from "./plugin-packages.ts";

const packages = pluginPackages(process.argv.slice(2));
const started = Date.now();
const state = await createStateDir("smoke");
try {
  await writeHostConfig(state, {
    // Nothing is called: a closed port keeps a stray request from leaving the machine.
    baseUrl: "http://127.0.0.1:9/v1",
    models: [{ id: "gpt-5.5" }],
    configureProvider: false,
    plugins: packages.map((pkg) => ({ id: pkg.id, path: pkg.dir, allowConversationAccess: true })),
  });
  const all = await inspectAllPlugins(state);
  let failed = 0;
  for (const pkg of packages) {
    const found = all.find((entry) => entry.plugin.id === pkg.id);
    const problems = !found
      ? ["not found"]
      : [
          ...(found.plugin.status === "loaded" ? [] : [`status ${found.plugin.status}`]),
          ...found.diagnostics.map((d) => JSON.stringify(d)),
        ];
    const registered = found
      ? `providers [${found.plugin.providerIds.join(", ")}], ${found.typedHooks.length} hook(s), gateway methods [${found.gatewayMethods.join(", ")}]`
      : "";
    if (problems.length === 0) console.log(`ok   ${pkg.id} (${pkg.folder}): ${registered}`);
    else {
      failed += 1;
      console.error(`FAIL ${pkg.id} (${pkg.folder}): ${problems.join("; ")}`);
    }
  }
  console.log(
    `smoke: ${packages.length - failed}/${packages.length} loaded in ${Date.now() - started} ms`,
  );
  if (failed > 0) process.exitCode = 1;
} finally {
  await reapStateDirProcesses(state.dir, 1_000);
  await state.remove();
}
