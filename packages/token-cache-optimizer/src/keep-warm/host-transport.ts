import {
  completeWithPreparedSimpleCompletionModel,
  type PreparedSimpleCompletionModel,
  prepareSimpleCompletionModelForAgent,
} from "openclaw/plugin-sdk/simple-completion-runtime";
import type { PingTransport } from "./resend.ts";

/**
 * Pings through the host's standalone completion (the path the host's own labels and summaries
 * take): it resolves the agent's model and credentials from the config in force, and runs the
 * provider hooks, so the ping carries this plugin's affinity id and headers like any call. The
 * prepared model is kept per agent and model (the host holds what it prepared for the process's
 * life), and prepared again after a failed ping, so a rotated key is picked up.
 */
export function hostPingTransport(config: () => unknown): PingTransport {
  const prepared = new Map<string, Promise<PreparedSimpleCompletionModel>>();
  return async (request) => {
    const modelRef = `${request.provider}/${request.model}`;
    const key = `${request.agentId}\u0000${modelRef}`;
    let ready = prepared.get(key);
    if (!ready) {
      ready = prepareSimpleCompletionModelForAgent({
        cfg: config(),
        agentId: request.agentId,
        modelRef,
      }).then((result) => {
        if ("error" in result) throw new Error(result.error);
        return result;
      });
      prepared.set(key, ready);
    }
    try {
      const { model, auth } = await ready;
      const message = await completeWithPreparedSimpleCompletionModel({
        model,
        auth,
        cfg: config(),
        context: request.context,
        options: request.options,
      });
      if (message.stopReason === "error") prepared.delete(key);
      return message;
    } catch (error) {
      prepared.delete(key);
      throw error;
    }
  };
}
