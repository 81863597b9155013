/**
 * One turn through the gateway's OpenAI-compatible `/v1/chat/completions` (config
 * `gateway.http.endpoints.chatCompletions.enabled`, `chatCompletions: true` in the harness):
 * `model: "openclaw/<agent>"` picks the agent and `x-openclaw-session-key` the conversation, as
 * the host documents (docs/gateway/openai-http-api.md). The key is agent-scoped
 * (`agent:<agent>:<conversation>`): with several agents configured the host refuses a bare key
 * (AgentSelectionRequiredError, answered as HTTP 500). One HTTP request, no CLI process, so a
 * bench can drive thousands of turns from one process. Throws with the status on a non-2xx.
 */
export async function chatCompletionsTurn(
  gateway: { port: number; token: string },
  agent: string,
  conversation: string,
  message: string,
  timeoutMs = 180_000,
): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${gateway.port}/v1/chat/completions`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${gateway.token}`,
      "content-type": "application/json",
      "x-openclaw-session-key": `agent:${agent}:${conversation}`,
    },
    body: JSON.stringify({
      model: `openclaw/${agent}`,
      messages: [{ role: "user", content: message }],
    }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
}
