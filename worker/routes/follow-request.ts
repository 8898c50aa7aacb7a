import { isValidId } from '../../sdk/protocol';
import { HttpError } from '../http-error';
import { requireSessionId } from './chat-request';

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
