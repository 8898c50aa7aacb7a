import type { DeleteResponseBody } from '../../sdk/protocol';
import { authorizeSession } from './access';
import { haltSession } from '../conversation/active-replies';
import { requireSessionId } from './chat-request';
import { jsonResponse } from '../json-response';
import type { RouteContext } from './route-context';
import { KV_LIST_LIMIT, KV_OPS_BUDGET, SessionStore } from '../store/session-store';

/** Deletes issued at once. */
const DELETE_CONCURRENCY = 50;

/**
 * `DELETE /history`: deletes the conversation a page at a time within the KV operation budget; `more: true` says a
 * (very long) conversation needs another call. Replies still generating in this isolate are halted first so they
 * cannot write themselves back.
 */
export async function handleDelete<E>(route: RouteContext<E>): Promise<Response> {
  const { options, url } = route;
  const sessionId = requireSessionId(url.searchParams.get('sessionId'));
  await authorizeSession(route, sessionId);
  haltSession(sessionId);

  const store = new SessionStore(options.kv(route.env), sessionId, options.retentionSeconds);
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
  const body: DeleteResponseBody = more ? { deleted, more } : { deleted };
  return jsonResponse(body);
}
