import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GATEWAY_PRICES_PLUGINS } from "./gateway-prices.ts";
import { KEEP_WARM_PLUGINS } from "./keep-warm.ts";
import { PROBED_GEOMETRY_PLUGINS } from "./probed-geometry.ts";
import { ROUTE_STORE_PLUGINS } from "./route-store.ts";
import { STREAM_DECORATOR_PLUGINS } from "./stream-decorators.ts";

// Every seam names the plugins on its sides; each must be a plugin of this suite (a manifest
// with that id), and each one's README must name the seam's module, so an operator reading
// either plugin finds the other half.

const packagesDir = join(import.meta.dirname, "..", "..", "..");

/** Plugin id -> its package folder, from every manifest in the suite. */
const pluginFolders = new Map(
  readdirSync(packagesDir).flatMap((folder) => {
    try {
      const text = readFileSync(join(packagesDir, folder, "openclaw.plugin.json"), "utf8");
      const manifest: unknown = JSON.parse(text);
      const id = (manifest as { id?: unknown }).id;
      return typeof id === "string" ? [[id, folder] as const] : [];
    } catch {
      return []; // not a plugin (core, the emulator)
    }
  }),
);

const seams = [
  {
    module: "route-store.ts",
    plugins: [ROUTE_STORE_PLUGINS.owner, ...ROUTE_STORE_PLUGINS.readers],
  },
  {
    module: "stream-decorators.ts",
    plugins: [STREAM_DECORATOR_PLUGINS.applier, ...STREAM_DECORATOR_PLUGINS.publishers],
  },
  {
    module: "gateway-prices.ts",
    plugins: [GATEWAY_PRICES_PLUGINS.owner, ...GATEWAY_PRICES_PLUGINS.readers],
  },
  {
    module: "probed-geometry.ts",
    plugins: [PROBED_GEOMETRY_PLUGINS.owner, ...PROBED_GEOMETRY_PLUGINS.readers],
  },
  {
    module: "keep-warm.ts",
    plugins: [KEEP_WARM_PLUGINS.owner, ...KEEP_WARM_PLUGINS.readers],
  },
];

describe("plugin-to-plugin seams", () => {
  it.each(
    seams.flatMap(({ module, plugins }) => [...new Set(plugins)].map((id) => ({ module, id }))),
  )("$module: $id is a plugin of the suite and its README names the seam", ({ module, id }) => {
    const folder = pluginFolders.get(id);
    expect(folder, `no openclaw.plugin.json has id ${id}`).toBeDefined();
    const readme = readFileSync(join(packagesDir, folder ?? "", "README.md"), "utf8");
    expect(readme).toContain(`core/src/contracts/${module}`);
  });
});
