import { isValidId } from '../../sdk/protocol';
import { callConversation } from '../conversation/conversation-call';
import { sendFinal } from '../conversation/replay';
import { HttpError } from '../http-error';
import { SessionStore, storageUnavailable } from '../store/session-store';
import { presentMessage } from '../store/stale-streaming';
import { sseResponse } from '../stream/sse-response';
import { SseStream } from '../stream/sse-stream';
import { requireSessionId } from './chat-request';
import type { RouteContext } from './route-context';

/** A validated `GET /chat/stream`. */
export interface FollowRequest {
  sessionId: string;
  /** The assistant turn's id. */
  messageId: string;
  /** `Last-Event-ID`: the last event the client holds, if any. */
  afterEventId: number | undefined;
}

/** Event ids are positive integers; anything else in `Last-Event-ID` is refused rather than guessed at. */
const EVENT_ID_PATTERN = /^[1-9][0-9]{0,15}$/;

export function parseFollowRequest(url: URL, request: Request): FollowRequest {
  const sessionId = requireSessionId(url.searchParams.get('sessionId'));
  const messageId = url.searchParams.get('messageId');
  if (!isValidId(messageId)) {
    throw new HttpError(400, 'invalid_message_id', 'messageId must match [A-Za-z0-9_-]{8,128}');
  }
  const lastEventId = request.headers.get('last-event-id')?.trim();
  if (lastEventId === undefined || lastEventId === '') return { sessionId, messageId, afterEventId: undefined };
  if (!EVENT_ID_PATTERN.test(lastEventId)) {
    throw new HttpError(400, 'invalid_request', 'Last-Event-ID must be an event id from this reply');
  }
  return { sessionId, messageId, afterEventId: Number(lastEventId) };
}

/**
 * `GET /chat/stream`: follows a reply. With the conversation object, a reply streaming there is followed live
 * (catch-up first, then live events). Without it, a final reply is answered with its last event, and a streaming one
 * with 409 `resume_unavailable`: the client follows it through history.
 */
export async function handleFollow<E>(route: RouteContext<E>, follow: FollowRequest): Promise<Response> {
  const { options } = route;
  const conversations = options.conversations(route.env);
  if (conversations !== undefined) return callConversation(route, conversations, follow.sessionId, { op: 'follow', ...follow });

  const store = new SessionStore(options.kv(route.env), follow.sessionId, options.retentionSeconds);
  let record;
  try {
    record = await store.get(follow.messageId);
  } catch (cause) {
    throw storageUnavailable('The reply could not be read; try again', cause);
  }
  if (record === undefined || record.role !== 'assistant') {
    throw new HttpError(404, 'not_found', 'No reply with this id in this conversation');
  }
  const shown = presentMessage(record, options.now(), options.staleStreamingMs);
  if (shown.status === 'streaming') {
    throw new HttpError(409, 'resume_unavailable', 'This Worker cannot follow a reply live; follow it through history');
  }
  const sse = new SseStream({ pingIntervalMs: options.pingIntervalMs });
  sendFinal(sse, shown);
  return sseResponse(sse);
}
