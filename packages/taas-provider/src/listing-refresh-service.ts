import { errorText } from "@cloudsigma/taas-core/error-text";
import type { OpenClawPluginService } from "openclaw/plugin-sdk/plugin-entry";
import { PLUGIN_ID } from "./identity.ts";
import { type ListingRefreshDeps, type RefreshOutcome, refreshListing } from "./listing-refresh.ts";

/**
 * The listing refresh as a gateway service: the host starts it with the gateway (and again
 * after it reloads this plugin) and stops it with the gateway, so the refresh runs in the one
 * process that serves the turns, never in a CLI command. One refresh at start, then one every
 * `listingRefreshMinutes` (0: none at all); one at a time; the timer never keeps a stopping
 * process alive.
 */

export const LISTING_REFRESH_SERVICE_ID = `${PLUGIN_ID}.listing-refresh`;

export interface RefreshTimer {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const nodeTimer: RefreshTimer = {
  set: (run, ms) => setTimeout(run, ms).unref(),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface RefreshServiceOptions {
  deps: ListingRefreshDeps;
  timer?: RefreshTimer;
  /** Told about each refresh that ran (tests wait on it). */
  onRefresh?: (outcome: RefreshOutcome) => void;
}

export function listingRefreshService(options: RefreshServiceOptions): OpenClawPluginService {
  const timer = options.timer ?? nodeTimer;
  let handle: unknown;
  let running = false;
  let stopped = true;

  const schedule = () => {
    const minutes = options.deps.settings().listingRefreshMinutes;
    if (!stopped && minutes > 0) handle = timer.set(run, minutes * 60_000);
  };
  const run = () => {
    if (stopped || running) return;
    running = true;
    void refreshListing(options.deps)
      .then((outcome) => options.onRefresh?.(outcome))
      .catch((error: unknown) => {
        options.deps.warn(`${PLUGIN_ID}: listing refresh failed (${errorText(error, 200)})`);
      })
      .finally(() => {
        running = false;
        schedule();
      });
  };

  return {
    id: LISTING_REFRESH_SERVICE_ID,
    start() {
      if (options.deps.settings().listingRefreshMinutes === 0) return;
      stopped = false;
      // Not awaited: a slow or unreachable gateway must not hold up the gateway's start.
      run();
    },
    stop() {
      stopped = true;
      if (handle !== undefined) timer.clear(handle);
      handle = undefined;
    },
  };
}
