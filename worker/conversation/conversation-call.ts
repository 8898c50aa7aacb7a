import type { ChatTurnRequest, StopTurnRequest } from '../routes/chat-request';
import type { ChatDurableObjectNamespace } from '../cloudflare-types';
import { HttpError } from '../http-error';

/**
 * What the Worker asks of a conversation's object, after it has validated, authorized and rate-limited the request.
 * Sent as the JSON body of one internal `POST`; the object answers with the response the client gets.
 */
export type ConversationCall =
  | { op: 'chat'; turn: ChatTurnRequest }
  | { op: 'follow'; sessionId: string; messageId: string; afterEventId: number | undefined }
  | { op: 'stop'; stop: StopTurnRequest }
  | { op: 'delete'; sessionId: string };

/** Seconds a client is told to wait when the conversation's object could not be reached. */
const OBJECT_RETRY_AFTER_SECONDS = 1;

/** The namespace binding of the conversation object (`CHAT_CONVERSATIONS` in the deployable Worker). */
export type ConversationNamespace = ChatDurableObjectNamespace;

/** Sends a call to the object of `sessionId` (one per conversation, by name) and returns its answer. */
export async function callConversation(
  namespace: ConversationNamespace,
  sessionId: string,
  call: ConversationCall,
): Promise<Response> {
  const stub = namespace.get(namespace.idFromName(sessionId));
  let answer: unknown;
  try {
    answer = await stub.fetch('https://conversation.internal/call', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(call),
    });
  } catch (cause) {
    // The object was reset or overloaded: the call may be retried, and turns are idempotent.
    throw new HttpError(503, 'storage_unavailable', 'The conversation is unavailable; try again', {
      retryAfterSeconds: OBJECT_RETRY_AFTER_SECONDS,
      cause,
    });
  }
  // The stub is typed by the members chatkeep uses (so any app's typings fit); the runtime answers a Response.
  if (!(answer instanceof Response)) throw new HttpError(500, 'internal_error', 'The conversation answered no response');
  // A fetched response's headers are immutable; the dispatcher adds CORS headers to what it returns.
  return new Response(answer.body, answer);
}
