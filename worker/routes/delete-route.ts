import { haltSession } from '../conversation/active-replies';
import { callConversation } from '../conversation/conversation-call';
import { jsonResponse } from '../json-response';
import { deleteConversation } from '../store/delete-conversation';
import { SessionStore } from '../store/session-store';
import type { RouteContext } from './route-context';

/**
 * `DELETE /history`: deletes the conversation a page at a time within the KV operation budget; `more: true` says a
 * (very long) conversation needs another call. A reply still generating is stopped first (by the conversation's
 * object, or in this isolate without one) so it cannot write itself back; its streams end with `error` /
 * `conversation_deleted`.
 */
export async function handleDelete<E>(route: RouteContext<E>, sessionId: string): Promise<Response> {
  const { options } = route;
  const conversations = options.conversations(route.env);
  if (conversations !== undefined) return callConversation(route, conversations, sessionId, { op: 'delete', sessionId });
  haltSession(sessionId);
  const store = new SessionStore(options.kv(route.env), sessionId, options.retentionSeconds);
  return jsonResponse(await deleteConversation(store));
}
