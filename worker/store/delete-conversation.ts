import type { DeleteResponseBody } from '../../sdk/protocol';
import { KV_LIST_LIMIT, KV_OPS_BUDGET, type SessionStore } from './session-store';

/** Deletes issued at once. */
const DELETE_CONCURRENCY = 50;

/**
 * Deletes a conversation's records a page at a time within the KV operation budget; `more: true` says a (very long)
 * conversation needs another call.
 */
export async function deleteConversation(store: SessionStore): Promise<DeleteResponseBody> {
  let ops = 0;
  let deleted = 0;
  let cursor: string | undefined;
  let more = false;
  for (;;) {
    const room = KV_OPS_BUDGET - ops - 1;
    if (room <= 0) {
      more = true;
      break;
    }
    const page = await store.list(cursor, Math.min(room, KV_LIST_LIMIT));
    ops++;
    for (let i = 0; i < page.messages.length; i += DELETE_CONCURRENCY) {
      await Promise.all(page.messages.slice(i, i + DELETE_CONCURRENCY).map((entry) => store.delete(entry.id)));
    }
    ops += page.messages.length;
    deleted += page.messages.length;
    cursor = page.nextCursor;
    if (cursor === undefined) break;
  }
  return more ? { deleted, more } : { deleted };
}
