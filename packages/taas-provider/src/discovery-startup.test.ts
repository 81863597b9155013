import type { OpenClawConfig } from "openclaw/plugin-sdk/plugin-entry";
import { describe, expect, it } from "vitest";
import { parseProviderConfig } from "./config.ts";
import { discoveryStartupNotes } from "./discovery-startup.ts";
import { DEFAULT_BASE_URL, PROVIDER_ID } from "./identity.ts";
import { staticModels } from "./seed-catalog.ts";

const writtenAt = (baseUrl: string): OpenClawConfig => ({
  models: { providers: { [PROVIDER_ID]: { baseUrl, models: staticModels() } } },
});

describe("discoveryStartupNotes", () => {
  it("says nothing when the host will ask the catalog: no provider entry, or the declared endpoint", () => {
    expect(
      discoveryStartupNotes({}, parseProviderConfig({ baseUrl: "http://127.0.0.1:8787/v1" })),
    ).toEqual([]);
    expect(
      discoveryStartupNotes(writtenAt(`${DEFAULT_BASE_URL}/`), parseProviderConfig({})),
    ).toEqual([]);
  });

  it("names the endpoint the host will not ask about, and the rows the picker shows instead", () => {
    const settings = parseProviderConfig({ onboardedRows: ["gpt-5.5#0123", "gpt-5.4#4567"] });
    expect(discoveryStartupNotes(writtenAt("http://127.0.0.1:8787/v1"), settings)).toEqual([
      `cloudsigma: the host's live model discovery does not run: models.providers.cloudsigma.baseUrl "http://127.0.0.1:8787/v1" is not the catalog endpoint this plugin declares (${DEFAULT_BASE_URL}), and the host reads a provider's live catalog only at its declared endpoint; the picker shows the ${staticModels().length} row(s) in models.providers.cloudsigma.models (2 written by onboarding); this plugin reads that endpoint's /models itself, now and every 60 minute(s) (listingRefreshMinutes), to save the listed prices for the usage ledger and rewrite the rows onboarding wrote when the listing changed them`,
    ]);
  });

  it("says to re-run onboarding when the listing refresh is off", () => {
    const settings = parseProviderConfig({ listingRefreshMinutes: 0 });
    expect(discoveryStartupNotes(writtenAt("http://127.0.0.1:8787/v1"), settings)).toEqual([
      expect.stringMatching(
        /; listingRefreshMinutes is 0, so re-run onboarding to refresh them from the gateway's \/models$/,
      ),
    ]);
  });

  it("reports a plugin endpoint that the provider entry overrides, naming both", () => {
    const notes = discoveryStartupNotes(
      writtenAt(DEFAULT_BASE_URL),
      parseProviderConfig({ baseUrl: "https://staging.taas.test/v1" }),
    );
    expect(notes).toEqual([
      `cloudsigma: requests go to models.providers.cloudsigma.baseUrl "${DEFAULT_BASE_URL}", not to plugins.entries.cloudsigma.config.baseUrl "https://staging.taas.test/v1": the provider entry is what the host's transport reads; re-run onboarding to write the plugin setting there, or remove one of the two`,
    ]);
  });

  it("says discovery is off when the operator switched it off", () => {
    expect(discoveryStartupNotes({}, parseProviderConfig({ discovery: false }))).toEqual([
      expect.stringMatching(
        /^cloudsigma: live model discovery is off \(plugins\.entries\.cloudsigma\.config\.discovery: false\)/,
      ),
    ]);
  });
});
