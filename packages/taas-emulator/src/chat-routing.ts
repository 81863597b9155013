import type { ContinuityInput } from "./keyless-continuity.ts";
import type { RecordDraft } from "./recorder.ts";
import type { ReplyPlan } from "./replies.ts";
import { type Router, replicaName } from "./routing.ts";
import type { SlotCapacity } from "./slot-capacity.ts";

export interface RoutedChat {
  key: string | null;
  /** Zero-based index of the replica that serves the request. */
  index: number;
  name: string;
  /** The replica the request was meant for, when it spilled because that one was full. */
  spilledFrom: number | null;
  release(): void;
}

export interface ChatRoutingState {
  router: Router;
  slots: SlotCapacity;
}

/**
 * Routes a chat completion and admits it to a replica with room, then tells the router where it
 * went (a stored binding follows a spill; a keyless request's tool calls are kept for the next
 * guess). What TaaS would have logged about the match goes into the record.
 */
export async function routeChat(
  state: ChatRoutingState,
  request: { body: unknown; headers: Headers; prompt: ContinuityInput; plan: ReplyPlan },
  draft: RecordDraft,
  signal?: AbortSignal,
): Promise<RoutedChat> {
  const decision = state.router.route(request.body, request.headers, request.prompt);
  const { matchReason, matchConfidence, fallbackReason, agentId } = decision;
  Object.assign(draft, { routingKey: decision.key, routingSource: decision.source });
  Object.assign(draft, { matchReason, matchConfidence, fallbackReason, agentId });
  const admission = await state.slots.admit(decision.ranking, signal);
  const { index, spilledFrom, waitedMs } = admission;
  const toolCallIds = request.plan.kind === "tool_calls" ? request.plan.calls.map((c) => c.id) : [];
  state.router.settle(decision, index, request.prompt, toolCallIds);
  const name = replicaName(index);
  const spilled = spilledFrom === null ? null : replicaName(spilledFrom);
  Object.assign(draft, { replica: name, spilledFrom: spilled, waitedMs });
  return { key: decision.key, index, name, spilledFrom, release: admission.release };
}
