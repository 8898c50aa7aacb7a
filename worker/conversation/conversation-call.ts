import { isFinalStatus, SSE_CONTENT_TYPE, type ChatMessage, type ErrorCode, type ErrorResponseBody } from '../../sdk/protocol';
import { type ConversationSummary, type RenameResponseBody } from '../../sdk/protocol-conversations';
import { HttpError } from '../http-error';
import type { ChatTurnRequest, StopTurnRequest } from '../routes/chat-request';
import type { RouteContext } from '../routes/route-context';
import { SessionStore } from '../store/session-store';
import { guardFinalEvent, type CutStream } from '../stream/final-event-guard';
import { sseFrame } from '../stream/sse-stream';
import { finalEvent } from './final-record';
import { interrupted } from '../store/stale-streaming';
import { replyIdFor } from './reply-id';

/**
 * What the Worker asks of a conversation's object, after it has validated, authorized and rate-limited the request.
 * Sent as the JSON body of one internal `POST`, with the request's owner (see {@link ConversationRequest}); the
 * object answers with the response the client gets.
 */
export type ConversationCall =
  | { op: 'chat'; turn: ChatTurnRequest }
  | { op: 'follow'; sessionId: string; messageId: string; afterEventId: number | undefined }
  | { op: 'stop'; stop: StopTurnRequest }
  | { op: 'delete'; sessionId: string }
  | { op: 'records'; sessionId: string; ids: string[] }
  /** History reads KV itself: it asks the object only whether the request may read this conversation. */
  | { op: 'admit'; sessionId: string }
  | { op: 'rename'; sessionId: string; title: string; nowIso: string };

/**
 * A call as the object receives it: every call carries who the request acts for, so the object (which knows whose
 * conversation it is) admits or refuses it in one place, whatever the route.
 */
export type ConversationRequest = ConversationCall & { owner?: string | undefined };

/** The object's answer to `records`: the replies among those ids it is running, or holds newer than KV. */
export interface ConversationRecordsBody {
  messages: ChatMessage[];
}

/** Seconds a client is told to wait when the conversation's object could not be reached. */
const OBJECT_RETRY_AFTER_SECONDS = 1;

/**
 * Sends a call to the object of `sessionId` (one per conversation, by name) and returns its answer. An event stream
 * is passed through a guard: if the object is restarted while it feeds the stream, the client still gets a last
 * event under the next event id: `error` / `interrupted` with the reply's last checkpoint, or the final record when
 * the reply had ended.
 */
export async function callConversation<E>(route: RouteContext<E>, sessionId: string, call: ConversationCall): Promise<Response> {
  const namespace = route.options.conversations(route.env);
  const stub = namespace.get(namespace.idFromName(sessionId));
  let answer: unknown;
  try {
    answer = await stub.fetch('https://conversation.internal/call', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...call, owner: route.owner } satisfies ConversationRequest),
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
  if (answer.body === null || answer.headers.get('content-type') !== SSE_CONTENT_TYPE) return new Response(answer.body, answer);
  const body = guardFinalEvent(answer.body, {
    // Only a cut stream needs the reply's id, and one that said `start` names it itself.
    finish: async (cut) =>
      interruptedEvent(route, sessionId, cut.startedReplyId ?? (await replyIdOf(call)), cut, call.op === 'follow' ? call.afterEventId : undefined),
    log: route.options.log,
  });
  return new Response(body, answer);
}

/** The reply a stream is about, where the call names it (a turn sent without an id learns it from `start`). */
async function replyIdOf(call: ConversationCall): Promise<string | undefined> {
  if (call.op === 'follow') return call.messageId;
  if (call.op === 'chat' && call.turn.id !== undefined) return replyIdFor(call.turn.id);
  return undefined;
}

/** The error an object answered, thrown again as it was, for a route that reads the object's answer itself. */
async function relayedError(answer: Response): Promise<HttpError> {
  const body = (await answer.json().catch(() => undefined)) as ErrorResponseBody | undefined;
  const { code, message } = body?.error ?? { code: 'internal_error', message: 'The conversation answered no error' };
  return new HttpError(answer.status, code as ErrorCode, message);
}

/** Throws the object's refusal (`403 forbidden` for another owner's conversation) before a route reads KV's records. */
export async function admitToConversation<E>(route: RouteContext<E>, sessionId: string): Promise<void> {
  const answer = await callConversation(route, sessionId, { op: 'admit', sessionId });
  if (!answer.ok) throw await relayedError(answer);
}

/**
 * `PATCH /conversations` through the conversation's writer, which keeps the title it wrote: the summary renamed,
 * `undefined` when the owner has no such conversation, or the object's refusal thrown (`403` for another owner's).
 */
export async function renameThroughObject<E>(
  route: RouteContext<E>,
  sessionId: string,
  title: string,
  nowIso: string,
): Promise<ConversationSummary | undefined> {
  const answer = await callConversation(route, sessionId, { op: 'rename', sessionId, title, nowIso });
  if (answer.status === 404) return undefined;
  if (!answer.ok) throw await relayedError(answer);
  return ((await answer.json()) as RenameResponseBody).conversation;
}

/** Asks the conversation's object for the records it holds newer than KV's, among `ids`. */
export async function recordsFromObject<E>(route: RouteContext<E>, sessionId: string, ids: string[]): Promise<Map<string, ChatMessage>> {
  const answer = await callConversation(route, sessionId, { op: 'records', sessionId, ids });
  if (!answer.ok) throw new Error(`The conversation object answered ${answer.status} to records`);
  const known = new Map<string, ChatMessage>();
  for (const message of ((await answer.json()) as ConversationRecordsBody).messages) {
    if (ids.includes(message.id)) known.set(message.id, message);
  }
  return known;
}

/** The framed final event that ends a stream the object stopped feeding: `error` / `interrupted` unless the reply was final. */
async function interruptedEvent<E>(
  route: RouteContext<E>,
  sessionId: string,
  replyId: string | undefined,
  cut: CutStream,
  afterEventId: number | undefined,
): Promise<string | undefined> {
  if (replyId === undefined) return undefined;
  const { options } = route;
  let record: ChatMessage | undefined;
  try {
    // The object (restarted, if that cut the stream) knows the reply's last checkpoint; KV holds its placeholder.
    record = (await recordsFromObject(route, sessionId, [replyId])).get(replyId);
    record ??= await new SessionStore(options.kv(route.env), sessionId, options.retentionSeconds).get(replyId);
  } catch (error) {
    options.log(error);
  }
  // The reply no longer feeds this stream: a record still streaming is shown ended, text kept; a final record (its
  // object wrote it, and the restart took the last event with it) ends the stream as its own last event would have.
  const timestamp = new Date(options.now()).toISOString();
  const last = record ?? { id: replyId, sessionId, role: 'assistant', content: '', timestamp, status: 'streaming', updatedAt: timestamp };
  const event = finalEvent(isFinalStatus(last.status) ? last : interrupted(last));
  const eventId = (cut.lastEventId ?? afterEventId ?? 0) + 1;
  return sseFrame(event.name, JSON.stringify(event.data), eventId);
}
