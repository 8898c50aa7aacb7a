import type { StopResponseBody } from '../../sdk/protocol';
import { activeReply } from '../conversation/active-replies';
import { callConversation } from '../conversation/conversation-call';
import { stopStoredReply } from '../conversation/stop-stored-reply';
import { jsonResponse } from '../json-response';
import { SessionStore } from '../store/session-store';
import type { StopTurnRequest } from './chat-request';
import type { RouteContext } from './route-context';

/**
 * `POST /chat/stop`: a `streaming` reply ends `aborted` with the text the user saw, as far as the model produced it.
 * With the conversation object, the object stops the reply at once. Without it, a generation running in this isolate
 * is told before the record is written, writes nothing more, and puts the aborted record back should a checkpoint of
 * its own land afterwards; one running elsewhere reads the record before each write and stops on `aborted`. A reply
 * already final (`complete`, `error`, `aborted`) is answered as it is and never rewritten.
 */
export async function handleStop<E>(route: RouteContext<E>, stop: StopTurnRequest): Promise<Response> {
  const { options } = route;
  const conversations = options.conversations(route.env);
  if (conversations !== undefined) return callConversation(route, conversations, stop.sessionId, { op: 'stop', stop });

  const store = new SessionStore(options.kv(route.env), stop.sessionId, options.retentionSeconds);
  const active = activeReply(stop.sessionId, stop.messageId);
  const message = await stopStoredReply(store, stop, {
    now: options.now,
    maxExtensionChars: options.limits.maxContentChars,
    ...(active === undefined ? {} : { producedText: active.text() }),
    beforeWrite: (aborted) => active?.halt({ kind: 'aborted', record: aborted }),
  });
  const body: StopResponseBody = { message };
  return jsonResponse(body);
}
