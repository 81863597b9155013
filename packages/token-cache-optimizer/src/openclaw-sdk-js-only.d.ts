/**
 * Types for the JS-only SDK subpath this plugin uses (the host ships it without `.d.ts`). Only
 * the calls made here are declared, typed with the stream function of the typed `plugin-entry`
 * subpath's `ProviderWrapStreamFnContext`, so a host change to that signature still fails `tsc`.
 */
declare module "openclaw/plugin-sdk/simple-completion-runtime" {
  import type { ProviderWrapStreamFnContext } from "openclaw/plugin-sdk/plugin-entry";

  type StreamFn = NonNullable<ProviderWrapStreamFnContext["streamFn"]>;
  type Model = Parameters<StreamFn>[0];
  type Context = Parameters<StreamFn>[1];
  type Options = NonNullable<Parameters<StreamFn>[2]>;
  type AssistantMessage = Awaited<ReturnType<Awaited<ReturnType<StreamFn>>["result"]>>;
  /** A model made ready for a standalone completion, with the credentials the host resolved. */
  export interface PreparedSimpleCompletionModel {
    model: Model;
    auth: { apiKey?: string; mode?: string };
  }
  /** The host's standalone completion: resolves the agent's model and credentials. */
  export function prepareSimpleCompletionModelForAgent(params: {
    cfg: unknown;
    agentId: string;
    modelRef?: string;
  }): Promise<PreparedSimpleCompletionModel | { error: string }>;
  /** Runs one completion through the host's transport (decorated by the provider hooks). */
  export function completeWithPreparedSimpleCompletionModel(params: {
    model: Model;
    auth: PreparedSimpleCompletionModel["auth"];
    cfg: unknown;
    context: Context;
    options?: Options;
  }): Promise<AssistantMessage>;
}
