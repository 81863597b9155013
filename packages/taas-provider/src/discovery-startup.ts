import { quoted } from "@cloudsigma/taas-core/quoted";
import type { OpenClawConfig } from "openclaw/plugin-sdk/plugin-entry";
import { configuredProviderBaseUrl, sameEndpoint } from "./base-url.ts";
import type { TaasProviderConfig } from "./config.ts";
import { DEFAULT_BASE_URL, PLUGIN_ID, PROVIDER_ID } from "./identity.ts";

/**
 * What the gateway says at start when live discovery cannot run, or the endpoint settings
 * disagree: cases the catalog hook cannot report itself, because the host never calls it then.
 * The host asks a provider plugin's catalog only when `models.providers.<id>.baseUrl` is unset
 * or is the endpoint the plugin's manifest declares (`modelCatalog`, the production gateway);
 * for any other endpoint the picker shows the rows written in `models.providers.cloudsigma`,
 * which this plugin's own listing refresh keeps current (listing-refresh.ts). Missing keys and
 * failed reads are reported by the catalog hook and the refresh when they run.
 */
export function discoveryStartupNotes(
  config: OpenClawConfig | undefined,
  settings: TaasProviderConfig,
): string[] {
  const notes: string[] = [];
  const written = configuredProviderBaseUrl(config);
  const fromPlugin = settings.baseUrl?.trim();
  if (written && fromPlugin && !sameEndpoint(written, fromPlugin)) {
    notes.push(
      `${PLUGIN_ID}: requests go to models.providers.cloudsigma.baseUrl ${quoted(written, 200)}, not to plugins.entries.cloudsigma.config.baseUrl ${quoted(fromPlugin, 200)}: the provider entry is what the host's transport reads; re-run onboarding to write the plugin setting there, or remove one of the two`,
    );
  }
  if (!settings.discovery) {
    notes.push(
      `${PLUGIN_ID}: live model discovery is off (plugins.entries.cloudsigma.config.discovery: false); the catalog is the static rows and those in models.providers.cloudsigma.models`,
    );
  } else if (written && !sameEndpoint(written, DEFAULT_BASE_URL)) {
    const rows = config?.models?.providers?.[PROVIDER_ID]?.models?.length ?? 0;
    const minutes = settings.listingRefreshMinutes;
    const refresh =
      minutes > 0
        ? `this plugin reads that endpoint's /models itself, now and every ${minutes} minute(s) (listingRefreshMinutes), to save the listed prices for the usage ledger and rewrite the rows onboarding wrote when the listing changed them`
        : "listingRefreshMinutes is 0, so re-run onboarding to refresh them from the gateway's /models";
    notes.push(
      `${PLUGIN_ID}: the host's live model discovery does not run: models.providers.cloudsigma.baseUrl ${quoted(written, 200)} is not the catalog endpoint this plugin declares (${DEFAULT_BASE_URL}), and the host reads a provider's live catalog only at its declared endpoint; the picker shows the ${rows} row(s) in models.providers.cloudsigma.models (${settings.onboardedRows.length} written by onboarding); ${refresh}`,
    );
  }
  return notes;
}
