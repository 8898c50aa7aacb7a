import type { ChatMessage, ChatPart, ErrorInfo } from '../../sdk/protocol';
import { finalRecord, INTERRUPTED_ERROR } from '../conversation/final-record';
import { lastWriteMs } from './stored-message';

/** What a tool part still `running` becomes once its reply has ended without its result. */
export const TOOL_ABORTED_ERROR: ErrorInfo = { code: 'aborted', message: 'The reply ended before the tool finished' };

/** The parts with every tool still `running` ended `error`, code `aborted`: a reply that ended runs no tool. */
export function abortRunningTools(parts: readonly ChatPart[]): ChatPart[] {
  return parts.map((part) =>
    part.type === 'tool' && part.state === 'running' ? { ...part, state: 'error', error: TOOL_ABORTED_ERROR } : { ...part },
  );
}

/** A `streaming` record as ended `error` / `interrupted`, text kept and any running tool ended. */
export function interrupted(message: ChatMessage, updatedAt = message.updatedAt): ChatMessage {
  const ended = finalRecord(message, { status: 'error', error: INTERRUPTED_ERROR }, message.content, updatedAt);
  if (message.parts !== undefined) ended.parts = abortRunningTools(message.parts);
  return ended;
}

/**
 * A reply's object can be restarted mid-reply, and then its record stays `streaming`. Once it has not been
 * checkpointed for `staleStreamingMs` it is shown ended with `interrupted`, text and parts kept (a tool that was
 * running shown ended), so no client follows a dead reply forever (a limit of -1 shows any `streaming` record so:
 * the object says it no longer runs it). The stored record is left as it is.
 */
export function presentMessage(message: ChatMessage, nowMs: number, staleStreamingMs: number): ChatMessage {
  if (message.status !== 'streaming' || nowMs - lastWriteMs(message) <= staleStreamingMs) return message;
  return interrupted(message);
}
