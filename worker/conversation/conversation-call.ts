import type { ChatTurnRequest, StopTurnRequest } from '../routes/chat-request';
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
export type ConversationNamespace = DurableObjectNamespace;

/** Sends a call to the object of `sessionId` (one per conversation, by name) and returns its answer. */
export async function callConversation(
  namespace: ConversationNamespace,
  sessionId: string,
  call: ConversationCall,
): Promise<Response> {
  const stub = namespace.get(namespace.idFromName(sessionId));
  let response: Response;
  try {
    response = await stub.fetch('https://conversation.internal/call', {
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
  // A fetched response's headers are immutable; the dispatcher adds CORS headers to what it returns.
  return new Response(response.body, response);
}
