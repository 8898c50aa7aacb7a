import type { ChatMessage, StopResponseBody } from '../../sdk/protocol';
import { errorResponse } from '../error-response';
import { HttpError } from '../http-error';
import { jsonResponse } from '../json-response';
import type { ChatWorkerOptions, ResolvedOptions } from '../options';
import { resolveChatOptions } from '../resolve-chat-options';
import type { ChatTurnRequest, StopTurnRequest } from '../routes/chat-request';
import { deleteConversation } from '../store/delete-conversation';
import { SessionStore, storageUnavailable } from '../store/session-store';
import { interrupted, presentMessage } from '../store/stale-streaming';
import { canonical } from '../store/stored-message';
import { isoAfter } from '../store/timestamps';
import { sseResponse } from '../stream/sse-response';
import { SseStream } from '../stream/sse-stream';
import type { ChatDurableObject, ChatDurableObjectState } from '../cloudflare-types';
import type { ConversationCall } from './conversation-call';
import { LiveReply } from './live-reply';
import { modelMessages } from './model-messages';
import { replayReply, sendFinal } from './replay';
import { replyIdFor } from './reply-id';
import { turnRecords } from './turn-records';
import { stopStoredReply } from './stop-stored-reply';
import { WarmContext } from './warm-context';

/** The object's own storage holds only the replies it is running, under this prefix: what a restart must know. */
const RUNNING_PREFIX = 'running:';
/** Ended replies kept in memory, so a stream that attaches just after the end gets the last event from here. */
const ENDED_REPLIES_KEPT = 16;

/**
 * The conversation's Durable Object class, configured like `createChatWorker` (pass the same options, or a function
 * of env for bindings and secrets). One object per session id (`idFromName`) owns that conversation's replies: it
 * runs the model, is the only writer of the conversation's records, and lets any number of streams follow a reply.
 *
 * @example
 * ```ts
 * import { createChatWorker, createConversationClass, type ChatWorkerOptions } from 'chatkeep/worker';
 *
 * const options: ChatWorkerOptions<Env> = {
 *   model: (env) => createOpenAiModel({ apiKey: env.OPENAI_API_KEY, model: 'gpt-4o-mini' }),
 *   conversations: (env) => env.CHAT_CONVERSATIONS,
 * };
 * export default createChatWorker(options);
 * export class ChatConversation extends createConversationClass(options) {}
 * ```
 */
export function createConversationClass<E>(
  options: ChatWorkerOptions<E> | ((env: E) => ChatWorkerOptions<E>),
): new (state: ChatDurableObjectState, env: E) => ChatDurableObject {
  return class ChatConversationObject implements ChatDurableObject {
    private readonly conversation: Conversation<E>;

    constructor(state: ChatDurableObjectState, env: E) {
      const resolved = resolveChatOptions(typeof options === 'function' ? options(env) : options);
      this.conversation = new Conversation(state, env, resolved);
    }

    fetch(request: Request): Promise<Response> {
      return this.conversation.handle(request);
    }
  };
}

/** One conversation's owner, inside its Durable Object. */
class Conversation<E> {
  private readonly replies = new Map<string, LiveReply>();
  private warm: WarmContext | undefined;
  /** Turn set-ups (and deletes) run one at a time: a turn sent twice at once must find the first one's reply. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly state: ChatDurableObjectState,
    private readonly env: E,
    private readonly options: ResolvedOptions<E>,
  ) {
    // A reply this object was running when it was restarted can never end now: say so before anything else runs.
    void state.blockConcurrencyWhile(() => this.reportInterrupted());
  }

  async handle(request: Request): Promise<Response> {
    try {
      const call = (await request.json()) as ConversationCall;
      if (call.op === 'chat') return await this.chat(call.turn);
      if (call.op === 'follow') return await this.follow(call.sessionId, call.messageId, call.afterEventId);
      if (call.op === 'stop') return await this.stop(call.stop);
      return await this.delete(call.sessionId);
    } catch (error) {
      return errorResponse(error, this.options.log);
    }
  }

  private store(sessionId: string): SessionStore {
    return new SessionStore(this.options.kv(this.env), sessionId, this.options.retentionSeconds);
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async chat(turn: ChatTurnRequest): Promise<Response> {
    const userId = turn.id ?? this.options.newId();
    const replyId = await replyIdFor(userId);
    return this.serially(async () => {
      const live = this.replies.get(replyId);
      if (live !== undefined && live.userMessage.id === userId) {
        if (live.finalRecord === undefined) return this.stream(live);
        const sse = new SseStream({ pingIntervalMs: this.options.pingIntervalMs });
        replayReply(sse, live.userMessage, live.finalRecord);
        return sseResponse(sse);
      }
      const store = this.store(turn.sessionId);
      const context = (this.warm ??= await WarmContext.load(store, this.options.contextWindow));
      return this.answer(store, context, turn, userId, replyId);
    });
  }

  /** Replays a turn answered before, or writes the turn and starts its reply. */
  private async answer(
    store: SessionStore,
    context: WarmContext,
    turn: ChatTurnRequest,
    userId: string,
    replyId: string,
  ): Promise<Response> {
    const { options } = this;
    const nowMs = options.now();
    // Only a repeated turn reads its records: a new turn on a warm conversation reads nothing from KV.
    let userMessage = context.has(userId) ? await store.get(userId) : undefined;
    if (userMessage?.role === 'assistant') throw new HttpError(409, 'invalid_message_id', 'This id already names a reply');
    const reply = context.has(replyId) ? await store.get(replyId) : undefined;
    if (reply !== undefined && (reply.role !== 'assistant' || reply.replyTo !== userId)) {
      throw new HttpError(409, 'invalid_message_id', "This id's reply id is taken");
    }
    if (userMessage !== undefined && reply !== undefined) {
      // This object runs every reply of the conversation, and this one is not running: a `streaming` record left
      // from before a restart is reported ended at once.
      const shown = presentMessage(reply, nowMs, reply.status === 'streaming' ? -1 : options.staleStreamingMs);
      const sse = new SseStream({ pingIntervalMs: options.pingIntervalMs });
      replayReply(sse, userMessage, shown);
      return sseResponse(sse);
    }
    if (userMessage === undefined && context.turnCount >= options.limits.maxTurnsPerSession) {
      throw new HttpError(409, 'too_many_turns', `A conversation holds at most ${options.limits.maxTurnsPerSession} turns`);
    }

    // Built before any write: a provider that cannot be built (a deploy mistake) must leave no `streaming` record.
    const provider = options.model(this.env);
    const history = context.recent(options.contextWindow, new Set([userId, replyId]));
    const records = turnRecords(turn, userId, replyId, userMessage, nowMs);
    const { assistantMessage, isNewTurn } = records;
    userMessage = records.userMessage;

    const userWrite = isNewTurn ? store.put(userMessage) : Promise.resolve();
    const replyWrite = store.put(assistantMessage);
    // The model request starts now, alongside the writes: persisting adds no round trip before the first token.
    const live = new LiveReply({
      store,
      provider,
      messages: modelMessages(options.systemPrompt, history, userMessage),
      userMessage,
      assistantMessage,
      checkpointIntervalMs: options.checkpointIntervalMs,
      modelIdleTimeoutMs: options.modelIdleTimeoutMs,
      now: options.now,
      log: options.log,
      onEnd: (final) => this.ended(live, final),
    });
    const sse = new SseStream({ pingIntervalMs: options.pingIntervalMs });
    live.attach(sse);
    const running = this.state.storage.put(`${RUNNING_PREFIX}${replyId}`, assistantMessage);
    try {
      await Promise.all([userWrite, replyWrite, running]);
    } catch (cause) {
      live.abandon();
      await this.state.storage.delete(`${RUNNING_PREFIX}${replyId}`).catch(options.log);
      // Without its question the placeholder reply would only ever read as interrupted.
      const userStored = await userWrite.then(() => true, () => false);
      const replyStored = await replyWrite.then(() => true, () => false);
      if (!userStored && replyStored) await store.delete(replyId).catch(options.log);
      throw storageUnavailable('The message could not be saved; try again', cause);
    }
    context.remember(userMessage);
    context.remember(assistantMessage);
    this.replies.set(replyId, live);
    live.begin();
    // The object stays alive while the reply runs (its I/O is pending); this also reports a failure of the run.
    this.state.waitUntil(live.ended.catch(options.log));
    return sseResponse(sse);
  }

  private ended(live: LiveReply, final: ChatMessage | undefined): void {
    if (final !== undefined) this.warm?.remember(final);
    void this.state.storage.delete(`${RUNNING_PREFIX}${live.assistantMessage.id}`).catch(this.options.log);
    // Keep the few most recent ended replies, oldest dropped first (a Map iterates in insertion order).
    const ended = [...this.replies.values()].filter((reply) => reply.isFinal);
    for (const old of ended.slice(0, Math.max(0, ended.length - ENDED_REPLIES_KEPT))) {
      this.replies.delete(old.assistantMessage.id);
    }
  }

  private stream(live: LiveReply, afterEventId?: number): Response {
    const sse = new SseStream({ pingIntervalMs: this.options.pingIntervalMs });
    live.attach(sse, afterEventId);
    return sseResponse(sse);
  }

  private async follow(sessionId: string, messageId: string, afterEventId: number | undefined): Promise<Response> {
    const live = this.replies.get(messageId);
    if (live !== undefined) return this.stream(live, afterEventId);
    let record: ChatMessage | undefined;
    try {
      record = await this.store(sessionId).get(messageId);
    } catch (cause) {
      throw storageUnavailable('The reply could not be read; try again', cause);
    }
    if (record === undefined || record.role !== 'assistant') {
      throw new HttpError(404, 'not_found', 'No reply with this id in this conversation');
    }
    if (record.status === 'streaming') {
      throw new HttpError(409, 'resume_unavailable', 'This reply cannot be followed live; follow it through history');
    }
    const sse = new SseStream({ pingIntervalMs: this.options.pingIntervalMs });
    sendFinal(sse, record);
    return sseResponse(sse);
  }

  private async stop(stop: StopTurnRequest): Promise<Response> {
    const live = this.replies.get(stop.messageId);
    let message: ChatMessage;
    if (live !== undefined && !live.isFinal) {
      try {
        message = await live.stop(stop.content);
      } catch (cause) {
        throw storageUnavailable('The stop could not be saved; try again', cause);
      }
    } else {
      // Not running here: final (answered unchanged), or left `streaming` by a run that can no longer write.
      message = await stopStoredReply(this.store(stop.sessionId), stop, {
        now: this.options.now,
        maxExtensionChars: this.options.limits.maxContentChars,
      });
    }
    const body: StopResponseBody = { message };
    return jsonResponse(body);
  }

  private delete(sessionId: string): Promise<Response> {
    return this.serially(async () => {
      // Stopped first, so nothing of a reply is written after the delete.
      await Promise.all([...this.replies.values()].filter((live) => !live.isFinal).map((live) => live.cancelForDelete()));
      this.replies.clear();
      this.warm = undefined;
      await this.state.storage.deleteAll();
      return jsonResponse(await deleteConversation(this.store(sessionId)));
    });
  }

  /** After a restart: every reply still listed as running ends `error` / `interrupted`, its text kept. */
  private async reportInterrupted(): Promise<void> {
    const running = await this.state.storage.list<ChatMessage>({ prefix: RUNNING_PREFIX });
    for (const [key, placeholder] of running) {
      try {
        const store = this.store(placeholder.sessionId);
        const current = await store.get(placeholder.id);
        if (current?.status === 'streaming') {
          await store.put(
            canonical({
              ...interrupted(current),
              updatedAt: isoAfter(this.options.now(), current.updatedAt ?? current.timestamp),
            }),
          );
        }
        await this.state.storage.delete(key);
      } catch (error) {
        // Left listed: the next start tries again, and history reports it interrupted once it is stale.
        this.options.log(error);
      }
    }
  }
}
