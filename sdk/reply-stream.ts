import { isFinalReply, isMessageOf, isPart } from './validate';
import { EVENT, type ChatMessage, type ChatPart, type ErrorInfo, type ReasoningPart, type TextPart, type ToolPart } from './protocol';

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
  /** The reply's text so far: the text parts joined. */
  readonly text: string;
  /**
   * The reply's parts so far, once it has anything but text (reasoning, a tool call); `undefined` while it is text
   * only, which is then all in `text`. Each batch that changes the parts gives a new array; an array once given out
   * never changes.
   */
  readonly parts?: readonly ChatPart[];
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
 * event `lastEventId` its text and parts include, the events that follow continue them (the first `delta` or
 * `reasoning` the part it ends in); without them the Worker starts over with `start` and one event per part.
 */
export const resumingReply = (sessionId: string, userId: string, cached?: ChatMessage, lastEventId?: string): ReplyState =>
  cached && lastEventId !== undefined
    ? { sessionId, userId, reply: cached, text: cached.content, parts: cached.parts, lastEventId }
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
  // The parts array and the last text or reasoning part this batch made: they may change in place, since no one
  // has seen them yet, so a read of many deltas to one part copies the array and that part once.
  let ownParts: ChatPart[] | undefined;
  let ownTail: TextPart | ReasoningPart | undefined;
  const editParts = (next: Draft): ChatPart[] =>
    (ownParts ??= next.parts = next.parts ? [...next.parts] : next.text ? [{ type: 'text', text: next.text }] : []);
  const extend = (next: Draft, type: 'text' | 'reasoning', text: string) => {
    if (!text) return;
    const parts = editParts(next);
    const last = parts[parts.length - 1];
    if (last === undefined || last.type === 'tool' || last.type !== type) parts.push((ownTail = { type, text }));
    else if (last === ownTail) last.text += text;
    else parts[parts.length - 1] = ownTail = { type, text: last.text + text };
  };
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
      else {
        Object.assign(edit(), { user, reply: announced, text: announced.content, parts: announced.parts, lastEventId });
        ownParts = ownTail = undefined;
      }
    } else if (!reply) edit().broken = 'event before start';
    else if (event === EVENT.delta || event === EVENT.reasoning) {
      if (body.id !== reply.id || typeof body.text !== 'string') edit().broken = `foreign ${event}`;
      else {
        const next = edit();
        if (event === EVENT.reasoning) extend(next, 'reasoning', body.text);
        else {
          next.text += body.text;
          // A reply of text only keeps no parts: its text is all of it.
          if (next.parts) extend(next, 'text', body.text);
        }
        next.lastEventId = lastEventId;
      }
    } else if (event === EVENT.toolCall) {
      const { toolCallId, name, input } = body;
      const call = { type: 'tool', toolCallId, name, input, state: 'running' };
      if (body.id !== reply.id || !isPart(call) || current.parts?.some((part) => part.type === 'tool' && part.toolCallId === toolCallId))
        edit().broken = 'unexpected tool call';
      else {
        const next = edit();
        editParts(next).push(call);
        ownTail = undefined;
        next.lastEventId = lastEventId;
      }
    } else if (event === EVENT.toolResult) {
      const index = current.parts?.findIndex((part) => part.type === 'tool' && part.toolCallId === body.toolCallId) ?? -1;
      const call = current.parts?.[index] as ToolPart | undefined;
      const result =
        'error' in body ? { ...call, state: 'error', error: body.error } : { ...call, state: 'done', output: body.output };
      // One result per call, and only for a call this reply made.
      if (body.id !== reply.id || call?.state !== 'running' || 'error' in body === 'output' in body || !isPart(result))
        edit().broken = 'unexpected tool result';
      else {
        const next = edit();
        editParts(next)[index] = result;
        next.lastEventId = lastEventId;
      }
    } else if (event === EVENT.done || event === EVENT.error) {
      const final = body.message;
      const failure = body.error as ErrorInfo | undefined;
      if (event === EVENT.error && typeof failure?.code === 'string' && failure.code === 'conversation_deleted')
        Object.assign(edit(), { failure, lastEventId });
      else if (!isFinalReply(final, current.sessionId, reply.id)) edit().broken = 'unexpected final record';
      else
        Object.assign(edit(), {
          final,
          text: final.content,
          parts: final.parts,
          failure: event === EVENT.error ? failure : undefined,
          lastEventId,
        });
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

/** The assistant turn to show for `state`: the announced record with the text and parts so far. */
export const shownReply = (state: ReplyState): ChatMessage | undefined =>
  state.final ??
  (state.reply &&
    (state.reply.content === state.text && state.reply.parts === state.parts
      ? state.reply
      : state.parts
        ? { ...state.reply, content: state.text, parts: state.parts as ChatPart[] }
        : { ...state.reply, content: state.text }));
