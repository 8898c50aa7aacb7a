import { haltSession } from '../conversation/active-replies';
import { callConversation } from '../conversation/conversation-call';
import { jsonResponse } from '../json-response';
import { deleteConversation } from '../store/delete-conversation';
import { SessionStore } from '../store/session-store';
import type { RouteContext } from './route-context';
import { removeFromOwnerIndex } from '../conversations/owner-routes';

/**
 * `DELETE /history`: deletes the conversation a page at a time within the KV operation budget; `more: true` says a
 * (very long) conversation needs another call. A reply still generating is stopped first (by the conversation's
 * object, or in this isolate without one) so it cannot write itself back; its streams end with `error` /
 * `conversation_deleted`.
 */
export async function handleDelete<E>(route: RouteContext<E>, sessionId: string): Promise<Response> {
  const { options } = route;
  const conversations = options.conversations(route.env);
  let response: Response;
  if (conversations !== undefined) {
    response = await callConversation(route, conversations, sessionId, { op: 'delete', sessionId });
  } else {
    haltSession(sessionId);
    const store = new SessionStore(options.kv(route.env), sessionId, options.retentionSeconds);
    response = jsonResponse(await deleteConversation(store));
  }
  if (response.ok) await removeFromOwnerIndex(route, sessionId);
  return response;
}
