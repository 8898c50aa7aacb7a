import type { ChatMessage, DoneEventData, ErrorEventData, ErrorInfo } from '../../sdk/protocol';
import { canonical } from '../store/stored-message';

/** Why a reply whose writer went away (a restart, a stale checkpoint) ended. */
export const INTERRUPTED_ERROR = { code: 'interrupted', message: 'The reply stopped before it was complete' } as const;
/** Why a reply cut short by `DELETE /history` ended; its record is gone, so only its streams carry this. */
export const CONVERSATION_DELETED_ERROR = { code: 'conversation_deleted', message: 'The conversation was deleted' } as const;
/** Why a reply whose final record could not be written ended its streams with `error`. */
export const NOT_SAVED_ERROR = { code: 'storage_unavailable', message: 'The reply could not be saved' } as const;

/** How a reply ended: the model finished, it failed (or was cut), or the user stopped it. */
export type ReplyEnd = { status: 'complete' } | { status: 'aborted' } | { status: 'error'; error: ErrorInfo };

/** The last event of a reply's streams. */
export type FinalEvent = { name: 'done'; data: DoneEventData } | { name: 'error'; data: ErrorEventData };

/**
 * The final record of a reply: `reply` with its final text, status and (for `error`) the reason, fields in the wire
 * order. Every final record of the Worker is built here, so a stop, a failure and an interruption cannot differ in
 * shape (a stale `error` never survives into an `aborted` or `complete` record).
 */
export function finalRecord(reply: ChatMessage, end: ReplyEnd, content: string, updatedAt: string | undefined): ChatMessage {
  const { error: _stale, ...rest } = reply;
  const record = canonical({ ...rest, content, status: end.status, ...(updatedAt === undefined ? {} : { updatedAt }) });
  if (end.status === 'error') record.error = end.error;
  return record;
}

/** The event that ends a stream with a final record: `error` for status `error` (an interrupted reply too), else `done`. */
export function finalEvent(record: ChatMessage): FinalEvent {
  if (record.status !== 'error') return { name: 'done', data: { message: record } };
  return { name: 'error', data: { error: record.error ?? { code: 'model_error', message: 'The reply failed' }, message: record } };
}
