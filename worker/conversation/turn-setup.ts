import type { ChatMessage } from '../../sdk/protocol';
import { HttpError } from '../http-error';
import type { ResolvedOptions } from '../options';
import type { ChatTurnRequest } from '../routes/chat-request';
import { storageUnavailable, type SessionStore } from '../store/session-store';
import { presentMessage } from '../store/stale-streaming';
import { sseResponse } from '../stream/sse-response';
import { SseStream } from '../stream/sse-stream';
import { LiveReply } from './live-reply';
import { modelMessages } from './model-messages';
import { INTERRUPTED_ERROR } from './final-record';
import { replayReply } from './replay';
import type { OwedWrites } from './owed-writes';
import type { RunningReplies } from './running-replies';
import { turnRecords } from './turn-records';
import type { WarmContext } from './warm-context';

/** What setting up one turn needs from its conversation object. */
export interface TurnSetup<E> {
  env: E;
  options: ResolvedOptions<E>;
  store: SessionStore;
  context: WarmContext;
  running: RunningReplies;
  owed: OwedWrites;
  /** Called once, when a reply started here has ended and nothing more of it will be written. */
  onEnd: (live: LiveReply, final: ChatMessage | undefined) => void;
}

/** The answer to `POST /chat`, and the reply it started (none when the turn was answered before). */
export interface TurnAnswer {
  response: Response;
  live: LiveReply | undefined;
}

/** A reply that ended only because its object restarted (or its writer went away): the one kind a retry runs again. */
function cutByRestart(reply: ChatMessage): boolean {
  return reply.status === 'error' && reply.error?.code === INTERRUPTED_ERROR.code;
}

/**
 * Sets up one turn: replays a turn answered before (from KV), or writes the user turn and its `streaming`
 * placeholder and starts the reply (again, for a turn whose reply a restart cut off). The caller runs set-ups one at a time and knows no reply of `userId` in memory.
 */
export async function setUpTurn<E>(setup: TurnSetup<E>, turn: ChatTurnRequest, userId: string, replyId: string): Promise<TurnAnswer> {
  const { options, store, context } = setup;
  const nowMs = options.now();
  // Only a repeated turn reads its records: a new turn on a warm conversation reads nothing from KV.
  let userMessage = context.has(userId) ? await store.get(userId) : undefined;
  if (userMessage?.role === 'assistant') throw new HttpError(409, 'invalid_message_id', 'This id already names a reply');
  // A record still owed to KV is newer than KV's.
  const reply = context.has(replyId) ? ((await setup.owed.get(replyId)) ?? (await store.get(replyId))) : undefined;
  // New user turns never end in the reply suffix, but a record kept from before that rule, or the reply of another id
  // shortened to the same hash, can already hold the derived id: writing the reply there would destroy it.
  if (reply !== undefined && (reply.role !== 'assistant' || reply.replyTo !== userId)) {
    throw new HttpError(409, 'invalid_message_id', "This id's reply id is taken");
  }
  // This object runs every reply of the conversation, and this one is not running: a `streaming` record left from
  // before a restart is ended at once.
  const ended = reply === undefined ? undefined : presentMessage(reply, nowMs, -1);
  if (userMessage !== undefined && ended !== undefined && !cutByRestart(ended)) {
    const sse = new SseStream({ pingIntervalMs: options.pingIntervalMs });
    replayReply(sse, userMessage, ended);
    return { response: sseResponse(sse), live: undefined };
  }
  if (userMessage === undefined && context.turnCount >= options.limits.maxTurnsPerSession) {
    throw new HttpError(409, 'too_many_turns', `A conversation holds at most ${options.limits.maxTurnsPerSession} turns`);
  }

  // Built before any write: a provider that cannot be built (a deploy mistake) must leave no `streaming` record.
  const provider = options.model(setup.env);
  const history = context.recent(options.contextWindow, new Set([userId, replyId]));
  // A reply cut by a restart never ran to its end: the retry runs it again, its placeholder newer than that record.
  const records = turnRecords(turn, userId, replyId, userMessage, nowMs, ended);
  const { assistantMessage, isNewTurn } = records;
  userMessage = records.userMessage;

  const userWrite = isNewTurn ? store.put(userMessage) : Promise.resolve();
  const replyWrite = store.put(assistantMessage);
  // The model request starts now, alongside the writes: persisting adds no round trip before the first token.
  const live: LiveReply = new LiveReply({
    store,
    provider,
    messages: modelMessages(options.systemPrompt, history, userMessage),
    userMessage,
    assistantMessage,
    checkpointIntervalMs: options.checkpointIntervalMs,
    modelIdleTimeoutMs: options.modelIdleTimeoutMs,
    now: options.now,
    log: options.log,
    checkpoint: (snapshot) => setup.running.checkpoint(snapshot),
    owe: (record) => setup.owed.owe(record),
    onEnd: (final) => setup.onEnd(live, final),
  });
  const sse = new SseStream({ pingIntervalMs: options.pingIntervalMs });
  live.attach(sse);
  const listed = setup.running.add(assistantMessage);
  try {
    await Promise.all([userWrite, replyWrite, listed]);
  } catch (cause) {
    live.abandon();
    await setup.running.remove(replyId);
    // Without its question the placeholder reply would only ever read as interrupted.
    const userStored = await userWrite.then(() => true, () => false);
    const replyStored = await replyWrite.then(() => true, () => false);
    if (!userStored && replyStored) await store.delete(replyId).catch(options.log);
    throw storageUnavailable('The message could not be saved; try again', cause);
  }
  context.remember(userMessage);
  context.remember(assistantMessage);
  live.begin();
  return { response: sseResponse(sse), live };
}
