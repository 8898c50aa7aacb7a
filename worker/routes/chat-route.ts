import type { ChatMessage } from '../../sdk/protocol';
import { claimTurn, type TurnClaim } from '../conversation/active-replies';
import { callConversation } from '../conversation/conversation-call';
import { modelMessages } from '../conversation/model-messages';
import type { ChatTurnRequest } from './chat-request';
import { indexConversation } from '../store/conversation-index';
import { HttpError } from '../http-error';
import { replayReply } from '../conversation/replay';
import { replyIdFor } from '../conversation/reply-id';
import { runReply } from '../conversation/reply-run';
import type { RouteContext } from './route-context';
import { SessionStore, storageUnavailable } from '../store/session-store';
import { sseResponse } from '../stream/sse-response';
import { SseStream } from '../stream/sse-stream';
import { presentMessage } from '../store/stale-streaming';
import { turnRecords } from '../conversation/turn-records';

/**
 * `POST /chat` (validated, authorized and rate-limited by the dispatcher): handed to the conversation's object when
 * there is one; else read the conversation, write the user turn, stream and persist the reply from here.
 */
export async function handleChat<E>(route: RouteContext<E>, turn: ChatTurnRequest): Promise<Response> {
  const { options } = route;
  const conversations = options.conversations(route.env);
  if (conversations !== undefined) return callConversation(route, conversations, turn.sessionId, { op: 'chat', turn });

  const userId = turn.id ?? options.newId();
  // Claimed before the first KV read, with no await in between: see `claimTurn`.
  const claim = claimTurn(turn.sessionId, userId, {
    nowMs: options.now(),
    expireAfterMs: options.staleStreamingMs,
  });
  if (claim === undefined) {
    throw new HttpError(409, 'reply_in_progress', 'The reply to this message is still being written');
  }
  try {
    return await answerTurn(route, turn, userId, claim);
  } finally {
    claim.end();
  }
}

/** Replays the turn's reply, or writes the turn and starts its reply; the caller holds the turn's claim. */
async function answerTurn<E>(route: RouteContext<E>, turn: ChatTurnRequest, userId: string, claim: TurnClaim): Promise<Response> {
  const { options } = route;
  const store = new SessionStore(options.kv(route.env), turn.sessionId, options.retentionSeconds);
  const replyId = await replyIdFor(userId);
  const conversation = await indexConversation(store);
  const nowMs = options.now();

  const existingUser = conversation.byId.get(userId);
  let userMessage = existingUser === undefined ? undefined : await store.resolve(existingUser);
  if (userMessage?.role === 'assistant') {
    throw new HttpError(409, 'invalid_message_id', 'This id already names a reply');
  }
  const existingReply = conversation.byId.get(replyId);
  const reply = existingReply === undefined ? undefined : await store.resolve(existingReply);
  // New user turns never end in the reply suffix, but a record kept from before that rule, or the reply of another
  // id shortened to the same hash, can already hold the derived id: writing the reply there would destroy it, so the
  // request is refused before anything is written.
  if (reply !== undefined && (reply.role !== 'assistant' || reply.replyTo !== userId)) {
    throw new HttpError(409, 'invalid_message_id', "This id's reply id is taken");
  }
  if (userMessage !== undefined && reply !== undefined) {
    const shown = presentMessage(reply, nowMs, options.staleStreamingMs);
    if (shown.status === 'streaming') {
      throw new HttpError(409, 'reply_in_progress', 'The reply to this message is still being written');
    }
    const sse = new SseStream({ pingIntervalMs: options.pingIntervalMs });
    replayReply(sse, userMessage, shown);
    return sseResponse(sse);
  }
  if (existingUser === undefined && conversation.turnCount >= options.limits.maxTurnsPerSession) {
    throw new HttpError(409, 'too_many_turns', `A conversation holds at most ${options.limits.maxTurnsPerSession} turns`);
  }

  // Built before any write: a provider that cannot be built (a deploy mistake) must leave no `streaming` record.
  const provider = options.model(route.env);
  const history = await conversation.recent(options.contextWindow, new Set([userId, replyId]));
  const records = turnRecords(turn, userId, replyId, userMessage, nowMs);
  const { assistantMessage, isNewTurn } = records;
  userMessage = records.userMessage;

  const userWrite = isNewTurn ? store.put(userMessage) : Promise.resolve();
  const replyWrite = store.put(assistantMessage);
  const written = Promise.all([userWrite, replyWrite]);
  const sse = new SseStream({ pingIntervalMs: options.pingIntervalMs });
  // The model request starts now, alongside the writes: persisting adds no KV round trip before the first token.
  const run = runReply({
    store,
    provider,
    messages: modelMessages(options.systemPrompt, history, userMessage),
    userMessage,
    assistantMessage,
    written,
    sse,
    checkpointIntervalMs: options.checkpointIntervalMs,
    modelIdleTimeoutMs: options.modelIdleTimeoutMs,
    now: options.now,
    log: options.log,
  });
  // Under waitUntil, a client that goes away never stops generation or the final write.
  const settled = run.catch(options.log);
  route.ctx.waitUntil(settled);
  claim.holdUntil(settled);

  try {
    await written;
  } catch (cause) {
    sse.close();
    // Without its question the placeholder reply would only ever read as interrupted.
    const userStored = await userWrite.then(() => true, () => false);
    const replyStored = await replyWrite.then(() => true, () => false);
    if (!userStored && replyStored) route.ctx.waitUntil(store.delete(replyId).catch(options.log));
    throw storageUnavailable('The message could not be saved; try again', cause);
  }
  return sseResponse(sse);
}
