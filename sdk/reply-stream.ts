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
 * batch of events gives a new state; the text grows by the delta's own size, whatever the conversation holds.
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

/** A state being folded: the copy one batch of events writes to. */
type Draft = { -readonly [K in keyof ReplyState]: ReplyState[K] };

/**
 * Folds a batch of events (one network read's) into the reply: `state` itself never changes; the first event that
 * changes something makes one copy, and the rest of the batch writes to it, so a read of many deltas costs one
 * object, not one per delta. Events after the final one, and any after the stream broke, change nothing; an event
 * that breaks the protocol (malformed, foreign or out of order) leaves nothing of itself.
 *
 * @example
 * ```ts
 * let reply = sendingReply(sessionId, userTurn.id);
 * reply = applyEvents(reply, eventsOfOneRead);
 * reply.final?.status; // 'complete'
 * ```
 */
export function applyEvents(state: ReplyState, events: Iterable<ReplyEvent>): ReplyState {
  let draft: Draft | undefined;
  const edit = () => (draft ??= { ...state });
  for (const { event, data, id } of events) {
    const current = draft ?? state;
    if (current.final || current.broken) break;
    const body = parse(data);
    const lastEventId = id ?? current.lastEventId;
    const reply = current.reply;
    if (!body) edit().broken = 'unreadable event';
    else if (event === EVENT.start) {
      const { userMessage: user, assistantMessage: announced } = body;
      // One `start` per stream; a resume that was promised none (it asked from an event id) takes one only for its reply.
      if (
        current.user !== undefined ||
        (reply !== undefined && (announced as ChatMessage | undefined)?.id !== reply.id) ||
        !isMessageOf(user, current.sessionId) ||
        user.id !== current.userId ||
        user.role !== 'user' ||
        !isMessageOf(announced, current.sessionId) ||
        announced.role !== 'assistant' ||
        announced.replyTo !== current.userId
      )
        edit().broken = 'unexpected start';
      else Object.assign(edit(), { user, reply: announced, text: announced.content, lastEventId });
    } else if (!reply) edit().broken = 'event before start';
    else if (event === EVENT.delta) {
      if (body.id !== reply.id || typeof body.text !== 'string') edit().broken = 'foreign delta';
      else {
        const next = edit();
        next.text += body.text;
        next.lastEventId = lastEventId;
      }
    } else if (event === EVENT.done || event === EVENT.error) {
      const final = body.message;
      const failure = body.error as ErrorInfo | undefined;
      if (event === EVENT.error && typeof failure?.code === 'string' && failure.code === 'conversation_deleted')
        Object.assign(edit(), { failure, lastEventId });
      else if (!isFinalReply(final, current.sessionId, reply.id)) edit().broken = 'unexpected final record';
      else
        Object.assign(edit(), { final, text: final.content, failure: event === EVENT.error ? failure : undefined, lastEventId });
    }
    // Any other event is of a newer protocol: skipped, as the protocol allows.
  }
  return draft ?? state;
}

/** Folds one event into the reply: {@link applyEvents} with a batch of one. */
export const applyEvent = (state: ReplyState, event: ReplyEvent): ReplyState => applyEvents(state, [event]);

/** Whether the stream has said its last word: a final record, a deleted conversation, or a broken stream. */
export const isSettled = (state: ReplyState): boolean =>
  state.final !== undefined || state.failure?.code === 'conversation_deleted' || state.broken !== undefined;

/** The assistant turn to show for `state`: the announced record with the text so far. */
export const shownReply = (state: ReplyState): ChatMessage | undefined =>
  state.final ?? (state.reply && (state.reply.content === state.text ? state.reply : { ...state.reply, content: state.text }));
