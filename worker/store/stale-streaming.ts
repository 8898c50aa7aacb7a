import type { ChatMessage } from '../../sdk/protocol';
import { finalRecord, INTERRUPTED_ERROR } from '../conversation/final-record';
import { lastWriteMs } from './stored-message';

/**
 * A reply's object can be restarted mid-reply, and then its record stays `streaming`. Once it has not been
 * checkpointed for `staleStreamingMs` it is shown ended with `interrupted`, text kept, so no client follows a dead
 * reply forever (a limit of -1 shows any `streaming` record so: the object says it no longer runs it). The stored
 * record is left as it is.
 */
export function presentMessage(message: ChatMessage, nowMs: number, staleStreamingMs: number): ChatMessage {
  if (message.status !== 'streaming' || nowMs - lastWriteMs(message) <= staleStreamingMs) return message;
  return finalRecord(message, { status: 'error', error: INTERRUPTED_ERROR }, message.content, message.updatedAt);
}
