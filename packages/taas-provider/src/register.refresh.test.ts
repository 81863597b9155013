import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayPriceReader } from "@cloudsigma/taas-core/contracts/gateway-prices";
import { DEFAULT_API_KEY, DEFAULT_CATALOG, startEmulator } from "@cloudsigma/taas-emulator";
import type {
  OpenClawConfig,
  OpenClawPluginService,
  OpenClawPluginServiceContext,
} from "openclaw/plugin-sdk/plugin-entry";
import { describe, expect, it, vi } from "vitest";
import { PROVIDER_ID } from "./identity.ts";
import { hostRuntime } from "./register.test-support.ts";
import { registerTaasProvider } from "./register.ts";

// The listing refresh as the host runs it: a service registered with the provider, started
// with the gateway, reading with the key the host resolves. The refresh's own rules are
// listing-refresh.test.ts.

describe("registerTaasProvider: the listing refresh", () => {
  it("refreshes the listing from a gateway service with the host's key, saving its prices for the ledger", async () => {
    const emulator = await startEmulator();
    const dir = mkdtempSync(join(tmpdir(), "taas-provider-refresh-"));
    try {
      const config: OpenClawConfig = {
        models: { providers: { [PROVIDER_ID]: { baseUrl: emulator.url, models: [] } } },
      };
      const out = { services: [] as OpenClawPluginService[], warnings: [] as string[] };
      const writes: OpenClawConfig[] = [];
      registerTaasProvider(
        {
          registrationMode: "full",
          config,
          runtime: hostRuntime(config, DEFAULT_API_KEY, writes),
          logger: { info: () => {}, warn: (line) => out.warnings.push(line), error: () => {} },
          registerProvider: () => {},
          registerService: (service) => out.services.push(service),
          registerCli: () => {},
          on: () => {},
        },
        { stateDir: () => dir },
      );
      const [service] = out.services;
      expect(out.services.map((s) => s.id)).toEqual(["cloudsigma.listing-refresh"]);
      await service?.start({} as OpenClawPluginServiceContext);
      const ledgerSide = new GatewayPriceReader(dir, { checkEveryMs: 0 });
      await vi.waitFor(() => expect(ledgerSide.lookup("cloudsigma", "gpt-5.5")).toBeDefined());
      expect(ledgerSide.lookup("cloudsigma", "gpt-5.5")).toEqual(
        DEFAULT_CATALOG.find((row) => row.id === "gpt-5.5")?.pricing,
      );
      expect(emulator.requests().map((r) => [r.path, r.status])).toEqual([["/v1/models", 200]]);
      // Onboarding wrote no rows here: the refresh leaves the config file alone.
      expect(writes).toEqual([]);
      expect(out.warnings).toEqual([]);
      await service?.stop?.({} as OpenClawPluginServiceContext);
    } finally {
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
