import { isValidId } from '../../sdk/protocol';
import { HttpError } from '../http-error';
import { requireUserTurnId } from '../conversation/reply-id';

/** A validated `POST /chat` body; `id` is `undefined` for the older `{sessionId, prompt}` form. */
export interface ChatTurnRequest {
  sessionId: string;
  id: string | undefined;
  content: string;
}

/** A validated `POST /chat/stop` body. */
export interface StopTurnRequest {
  sessionId: string;
  messageId: string;
  content: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireObject(body: unknown): Record<string, unknown> {
  if (!isObject(body)) throw new HttpError(400, 'invalid_request', 'The body must be a JSON object');
  return body;
}

export function requireSessionId(value: unknown): string {
  if (!isValidId(value)) {
    throw new HttpError(400, 'invalid_session_id', 'sessionId must match [A-Za-z0-9_-]{8,128}');
  }
  return value;
}

export function requireMessageId(value: unknown, field = 'message.id'): string {
  if (!isValidId(value)) throw new HttpError(400, 'invalid_message_id', `${field} must match [A-Za-z0-9_-]{8,128}`);
  return value;
}

function requireContent(value: unknown, field: string, maxContentChars: number): string {
  if (typeof value !== 'string') throw new HttpError(400, 'invalid_request', `${field} must be a string`);
  if (value.trim().length === 0) throw new HttpError(400, 'empty_content', `${field} is empty`);
  if (value.length > maxContentChars) {
    throw new HttpError(400, 'content_too_long', `${field} is longer than ${maxContentChars} characters`);
  }
  return value;
}

export function parseChatRequest(body: unknown, maxContentChars: number): ChatTurnRequest {
  const object = requireObject(body);
  const sessionId = requireSessionId(object.sessionId);
  if (object.message === undefined && object.prompt !== undefined) {
    return { sessionId, id: undefined, content: requireContent(object.prompt, 'prompt', maxContentChars) };
  }
  if (!isObject(object.message)) {
    throw new HttpError(400, 'invalid_request', 'Send {"sessionId","message":{"id","content"}}');
  }
  const id = requireUserTurnId(requireMessageId(object.message.id));
  return { sessionId, id, content: requireContent(object.message.content, 'message.content', maxContentChars) };
}

export function parseStopRequest(body: unknown): StopTurnRequest {
  const object = requireObject(body);
  const sessionId = requireSessionId(object.sessionId);
  const messageId = requireMessageId(object.messageId, 'messageId');
  const content = object.content ?? '';
  if (typeof content !== 'string') throw new HttpError(400, 'invalid_request', 'content must be a string');
  return { sessionId, messageId, content };
}
