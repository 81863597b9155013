/**
 * Whether the operator granted a non-bundled plugin the host's conversation hooks
 * (llm_input, llm_output, agent_end, before_*): `plugins.entries.<id>.hooks.allowConversationAccess`.
 * Without it the host silently never calls those hooks, so plugins say so once at load.
 */
function conversationAccessGranted(hostConfig: unknown, pluginId: string): boolean {
  let current: unknown = hostConfig;
  for (const key of ["plugins", "entries", pluginId, "hooks", "allowConversationAccess"]) {
    if (typeof current !== "object" || current === null) return false;
    current = (current as Record<string, unknown>)[key];
  }
  return current === true;
}

function missingGrantMessage(pluginId: string, effect: string): string {
  return `[${pluginId}] conversation hooks are not granted, so ${effect}. Grant them with plugins.entries.${pluginId}.hooks.allowConversationAccess=true`;
}

/**
 * Says once, at the full (gateway) registration, what the plugin cannot do without the grant;
 * the other registrations of the same process stay quiet so the line appears once.
 */
export function warnIfConversationNotGranted(
  api: { registrationMode: string; config: unknown; logger: { warn(message: string): void } },
  pluginId: string,
  effect: string,
): void {
  if (api.registrationMode !== "full" || conversationAccessGranted(api.config, pluginId)) return;
  api.logger.warn(missingGrantMessage(pluginId, effect));
}
