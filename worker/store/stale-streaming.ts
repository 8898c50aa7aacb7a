import type { ChatMessage } from '../../sdk/protocol';
import { lastWriteMs } from './stored-message';

/**
 * The runtime gives `waitUntil` work limited time after a client leaves, so a reply can be cut off for good with its
 * record still `streaming`. Once it has not been checkpointed for `staleStreamingMs` it is reported as ended with
 * `interrupted`, text kept, so no client follows a dead reply forever. The stored record is left as it is.
 */
/** Why a reply that stopped being written, or whose writer went away, ended. */
export const INTERRUPTED_ERROR = { code: 'interrupted', message: 'The reply stopped before it was complete' } as const;

export function presentMessage(message: ChatMessage, nowMs: number, staleStreamingMs: number): ChatMessage {
  if (message.status !== 'streaming' || nowMs - lastWriteMs(message) <= staleStreamingMs) return message;
  return {
    ...message,
    status: 'error',
    error: INTERRUPTED_ERROR,
  };
}
