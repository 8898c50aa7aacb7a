import { isFinalReply, isMessageOf } from './validate';
import { EVENT, type ChatMessage, type ErrorInfo } from './protocol';

/** One server-sent event as the parser hands it over. */
export interface ReplyEvent {
  event?: string;
  data: string;
  id?: string;
}

/**
 * A reply stream folded so far: what `POST /chat` or `GET /chat/stream` has said about one assistant turn. Each
 * event gives a new state; the text grows by the delta's own size, whatever the conversation holds.
 */
export interface ReplyState {
  readonly sessionId: string;
  /** The user turn this stream answers: `start` must be about it. */
  readonly userId: string;
  /** The user turn as `start` acknowledged it. */
  readonly user?: ChatMessage;
  /** The assistant turn as `start` announced it (or as the cache held it, when a resume begins without `start`). */
  readonly reply?: ChatMessage;
  /** The reply's text so far. */
  readonly text: string;
  /** The id of the last event folded in: a resume asks for what came after it. */
  readonly lastEventId?: string;
  /** The final record (`done`, or `error` with its record): nothing after it changes the reply. */
  readonly final?: ChatMessage;
  /** Why the stream ended in error, from an `error` event. */
  readonly failure?: ErrorInfo;
  /** The stream broke the protocol (malformed, foreign or out of order): nothing of the event that did is taken. */
  readonly broken?: string;
}

/** A stream for the user turn `userId`, before any event. */
export const sendingReply = (sessionId: string, userId: string): ReplyState => ({ sessionId, userId, text: '' });

/**
 * A stream resuming the reply to `userId`. With `cached` (the record the cache holds, still streaming) and the
 * event `lastEventId` its text includes, the first `delta` continues that text; without them the Worker starts
 * over with `start` and the whole text.
 */
export const resumingReply = (sessionId: string, userId: string, cached?: ChatMessage, lastEventId?: string): ReplyState =>
  cached && lastEventId !== undefined
    ? { sessionId, userId, reply: cached, text: cached.content, lastEventId }
    : sendingReply(sessionId, userId);

const parse = (data: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

const broken = (state: ReplyState, why: string): ReplyState => ({ ...state, broken: why });

/**
 * Folds one event into the reply. Events after the final one, and any after the stream broke, change nothing.
 *
 * @example
 * ```ts
 * let reply = sendingReply(sessionId, userTurn.id);
 * for (const event of events) reply = applyEvent(reply, event);
 * reply.final?.status; // 'complete'
 * ```
 */
export function applyEvent(state: ReplyState, { event, data, id }: ReplyEvent): ReplyState {
  if (state.final || state.broken) return state;
  const body = parse(data);
  if (!body) return broken(state, 'unreadable event');
  const lastEventId = id ?? state.lastEventId;
  if (event === EVENT.start) {
    const { userMessage: user, assistantMessage: reply } = body;
    // One `start` per stream; a resume that was promised none (it asked from an event id) takes one only for its reply.
    if (
      state.user !== undefined ||
      (state.reply !== undefined && (reply as ChatMessage | undefined)?.id !== state.reply.id) ||
      !isMessageOf(user, state.sessionId) ||
      user.id !== state.userId ||
      user.role !== 'user' ||
      !isMessageOf(reply, state.sessionId) ||
      reply.role !== 'assistant' ||
      reply.replyTo !== state.userId
    )
      return broken(state, 'unexpected start');
    return { ...state, user, reply, text: reply.content, lastEventId };
  }
  if (!state.reply) return broken(state, 'event before start');
  if (event === EVENT.delta) {
    if (body.id !== state.reply.id || typeof body.text !== 'string') return broken(state, 'foreign delta');
    return { ...state, text: state.text + body.text, lastEventId };
  }
  if (event === EVENT.done || event === EVENT.error) {
    const final = body.message;
    const failure = body.error as ErrorInfo | undefined;
    if (event === EVENT.error && typeof failure?.code === 'string' && failure.code === 'conversation_deleted')
      return { ...state, failure, lastEventId };
    if (!isFinalReply(final, state.sessionId, state.reply.id)) return broken(state, 'unexpected final record');
    return { ...state, final, text: final.content, failure: event === EVENT.error ? failure : undefined, lastEventId };
  }
  // An event of a newer protocol: skipped, as the protocol allows.
  return state;
}

/** Whether the stream has said its last word: a final record, a deleted conversation, or a broken stream. */
export const isSettled = (state: ReplyState): boolean =>
  state.final !== undefined || state.failure?.code === 'conversation_deleted' || state.broken !== undefined;

/** The assistant turn to show for `state`: the announced record with the text so far. */
export const shownReply = (state: ReplyState): ChatMessage | undefined =>
  state.final ?? (state.reply && (state.reply.content === state.text ? state.reply : { ...state.reply, content: state.text }));
