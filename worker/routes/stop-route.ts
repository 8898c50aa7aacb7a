import { isFinalStatus, type ChatMessage, type StopResponseBody } from '../../sdk/protocol';
import { authorizeSession } from './access';
import { activeReply } from '../conversation/active-replies';
import { parseStopRequest } from './chat-request';
import { HttpError } from '../http-error';
import { jsonResponse } from '../json-response';
import { readJsonBody } from './request-body';
import type { RouteContext } from './route-context';
import { SessionStore, storageUnavailable } from '../store/session-store';
import { canonical } from '../store/stored-message';
import { isoAfter } from '../store/timestamps';

/**
 * `POST /chat/stop`: a `streaming` reply ends `aborted` with the text the user saw. A generation running in this
 * isolate is told before the record is written, writes nothing more, and puts the aborted record back should a
 * checkpoint of its own land afterwards; one running elsewhere reads the record before each write and stops on
 * `aborted`. A reply already final (`complete`, `error`, `aborted`) is answered as it is and never rewritten.
 */
export async function handleStop<E>(route: RouteContext<E>): Promise<Response> {
  const { options } = route;
  const stop = parseStopRequest(await readJsonBody(route.request, options.limits.maxBodyBytes));
  await authorizeSession(route, stop.sessionId);

  const store = new SessionStore(options.kv(route.env), stop.sessionId, options.retentionSeconds);
  let current: ChatMessage | undefined;
  try {
    current = await store.get(stop.messageId);
  } catch (cause) {
    throw storageUnavailable('The reply could not be read; try again', cause);
  }
  if (current === undefined || current.role !== 'assistant') {
    throw new HttpError(404, 'message_not_found', 'No reply with this id in this session');
  }
  // A stop that crosses the end of the reply (or any holder of the session id) must not replace the whole reply
  // with the text it sends: a final record never changes, and every client's merge lets it win.
  if (isFinalStatus(current.status)) {
    const unchanged: StopResponseBody = { message: current };
    return jsonResponse(unchanged);
  }
  const { error: _cleared, ...rest } = current;
  const aborted = canonical({
    ...rest,
    content: stop.content,
    status: 'aborted',
    updatedAt: isoAfter(options.now(), current.updatedAt ?? current.timestamp),
  });
  activeReply(stop.sessionId, stop.messageId)?.halt({ kind: 'aborted', record: aborted });
  try {
    await store.put(aborted);
  } catch (cause) {
    throw storageUnavailable('The stop could not be saved; try again', cause);
  }
  const body: StopResponseBody = { message: aborted };
  return jsonResponse(body);
}
