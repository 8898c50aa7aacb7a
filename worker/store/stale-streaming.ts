import type { ChatMessage, ChatPart, ErrorInfo } from '../../sdk/protocol';
import { lastWriteMs } from './stored-message';

/** Why a reply that stopped being written, or whose writer went away, ended. */
export const INTERRUPTED_ERROR = { code: 'interrupted', message: 'The reply stopped before it was complete' } as const;

/** What a tool part still `running` becomes once its reply has ended without its result. */
export const TOOL_ABORTED_ERROR: ErrorInfo = { code: 'aborted', message: 'The reply ended before the tool finished' };

/** The parts with every tool still `running` ended `error`, code `aborted`: a reply that ended runs no tool. */
export function abortRunningTools(parts: readonly ChatPart[]): ChatPart[] {
  return parts.map((part) =>
    part.type === 'tool' && part.state === 'running' ? { ...part, state: 'error', error: TOOL_ABORTED_ERROR } : { ...part },
  );
}

/** A `streaming` record as ended `error` / `interrupted`, text kept and any running tool ended. */
export function interrupted(message: ChatMessage): ChatMessage {
  const ended: ChatMessage = { ...message, status: 'error', error: INTERRUPTED_ERROR };
  if (message.parts !== undefined) ended.parts = abortRunningTools(message.parts);
  return ended;
}

/**
 * The runtime gives `waitUntil` work limited time after a client leaves, so a reply can be cut off for good with its
 * record still `streaming`. Once it has not been checkpointed for `staleStreamingMs` it is reported as ended with
 * `interrupted`, text and parts kept (a tool that was running shown ended), so no client follows a dead reply
 * forever. The stored record is left as it is.
 */
export function presentMessage(message: ChatMessage, nowMs: number, staleStreamingMs: number): ChatMessage {
  if (message.status !== 'streaming' || nowMs - lastWriteMs(message) <= staleStreamingMs) return message;
  return interrupted(message);
}
