import type { ChatMessage, ErrorCode } from '../../sdk/protocol';
import { HttpError } from '../http-error';
import { storageUnavailable, type SessionStore } from '../store/session-store';
import type { OwedWrites } from './owed-writes';

/**
 * A reply this object no longer holds in memory, as its KV record says: 503 when KV cannot be read, 404 (`notFound`)
 * unless the id names an assistant turn. A restarted object reports its unfinished replies before anything else
 * runs, so a record still `streaming` here is one whose report failed: shown as history shows it (stale or not).
 */
export async function storedReply(
  store: SessionStore,
  owed: OwedWrites,
  replyId: string,
  notFound: ErrorCode,
  present: (record: ChatMessage) => ChatMessage,
): Promise<ChatMessage> {
  let record: ChatMessage | undefined;
  try {
    // A record still owed to KV is newer than KV's.
    record = (await owed.get(replyId)) ?? (await store.get(replyId));
  } catch (cause) {
    throw storageUnavailable('The reply could not be read; try again', cause);
  }
  if (record === undefined || record.role !== 'assistant') {
    throw new HttpError(404, notFound, 'No reply with this id in this conversation');
  }
  return present(record);
}
