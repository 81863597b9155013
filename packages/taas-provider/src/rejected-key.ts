import { isDecorated, markDecorated } from "@cloudsigma/taas-core/contracts/stream-decorators";
import type { ProviderWrapStreamFnContext } from "openclaw/plugin-sdk/plugin-entry";
import { AUTH, PLUGIN_ID, PROVIDER_ID } from "./identity.ts";

/**
 * A turn whose key TaaS refuses (HTTP 401) ends with the host's generic "re-authenticate the
 * provider"; this says which provider and the exact fix, once a minute, beside it. The host's
 * transport reports a refused request only in the stream's final message (its response hook
 * does not run for non-2xx), so the watcher reads that message; it changes nothing in the
 * stream and does no I/O on the request path.
 */

type StreamFn = NonNullable<ProviderWrapStreamFnContext["streamFn"]>;
type EventStream = Awaited<ReturnType<StreamFn>>;
type FinalMessage = Awaited<ReturnType<EventStream["result"]>>;

/** How a new key is put in force (README: Troubleshooting, "Rotating the API key"). */
export const KEY_FIX = `fix: run \`openclaw onboard --non-interactive --accept-risk --mode local ${AUTH.cliFlag} <new key>\`, then the \`openclaw models auth activate ...\` command it prints (provider README, Troubleshooting: Rotating the API key)`;

const WATCHER_ID = `${PLUGIN_ID}.rejected-key`;

/** True when the final message is TaaS refusing the key (the transport's "401 ..." error text). */
export function isRejectedKey(message: Pick<FinalMessage, "stopReason" | "errorMessage">): boolean {
  return message.stopReason === "error" && /^\s*401\b/.test(message.errorMessage ?? "");
}

export function rejectedKeyLine(modelId: string): string {
  return `${PLUGIN_ID}: CloudSigma TaaS rejected the API key (HTTP 401) for ${PROVIDER_ID}/${modelId.slice(0, 128)}; ${KEY_FIX}`;
}

/** `streamFn`, reporting a refused key through `report` after the call ends. */
export function watchRejectedKey(streamFn: StreamFn, report: (line: string) => void): StreamFn {
  if (isDecorated(streamFn, WATCHER_ID)) return streamFn;
  const watched: StreamFn = (model, context, options) => {
    const observe = (stream: EventStream): EventStream => {
      stream.result().then(
        (message) => {
          if (isRejectedKey(message)) report(rejectedKeyLine(model.id));
        },
        () => undefined,
      );
      return stream;
    };
    const out = streamFn(model, context, options);
    return out instanceof Promise ? out.then(observe) : observe(out);
  };
  return markDecorated(watched, WATCHER_ID);
}
