import type { ChatMessage, StopResponseBody } from '../../sdk/protocol';
import type { RenameResponseBody } from '../../sdk/protocol-conversations';
import type { ChatDurableObject, ChatDurableObjectState } from '../cloudflare-types';
import { errorResponse } from '../error-response';
import { HttpError } from '../http-error';
import { jsonResponse } from '../json-response';
import type { ConversationObjectOptions, ResolvedOptions } from '../options';
import { resolveChatOptions } from '../resolve-chat-options';
import type { ChatTurnRequest, StopTurnRequest } from '../routes/chat-request';
import { deleteConversation } from '../store/delete-conversation';
import { SessionStore } from '../store/session-store';
import { presentMessage } from '../store/stale-streaming';
import { sseResponse } from '../stream/sse-response';
import { SseStream } from '../stream/sse-stream';
import type { ConversationRecordsBody, ConversationRequest } from './conversation-call';
import { ConversationOwner } from './conversation-owner';
import { OwedWrites } from './owed-writes';
import { ownerIndexWriter } from '../conversations/owner-routes';
import type { IndexWriter } from '../conversations/index-writer';
import { finalEvent } from './final-record';
import type { LiveReply } from './live-reply';
import { replayReply } from './replay';
import { replyIdFor } from './reply-id';
import { RunningReplies } from './running-replies';
import { storedReply } from './stored-reply';
import { setUpTurn } from './turn-setup';
import { WarmContext } from './warm-context';

/** Ended replies kept in memory, so a stream that attaches just after the end gets the last event from here. */
const ENDED_REPLIES_KEPT = 16;

/**
 * The conversation's Durable Object class, configured like `createChatWorker` (pass the same options, or a function
 * of env for bindings and secrets). One object per session id (`idFromName`) owns that conversation's replies: it
 * runs the model, is the only writer of the conversation's records, and lets any number of streams follow a reply.
 * Export it from the Worker's main module and bind it (see `createChatWorker`).
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
  options: ConversationObjectOptions<E> | ((env: E) => ConversationObjectOptions<E>),
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

    alarm(): Promise<void> {
      return this.conversation.payDebts();
    }
  };
}

/** One conversation's owner, inside its Durable Object. */
class Conversation<E> {
  private readonly replies = new Map<string, LiveReply>();
  private readonly running: RunningReplies;
  private readonly owed: OwedWrites;
  /** Whose conversation this is, once an owned turn claimed it; kept in the object's own storage. */
  private readonly owner: ConversationOwner;
  private index: IndexWriter | undefined;
  private warm: WarmContext | undefined;
  /**
   * Turn set-ups and deletes run one at a time, and every lookup of a reply waits its turn behind them: a turn sent
   * twice at once must find the first one's reply, and a stop or a follow must never miss a reply being set up.
   */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly state: ChatDurableObjectState,
    private readonly env: E,
    private readonly options: ResolvedOptions<E>,
  ) {
    this.running = new RunningReplies(state.storage, options.log);
    this.owed = new OwedWrites(state.storage, (sessionId) => this.store(sessionId), options.log);
    this.owner = new ConversationOwner(state.storage);
    void state.blockConcurrencyWhile(async () => {
      await this.owner.load();
      // A reply this object was running when it was restarted can never end now: say so before anything else runs.
      await this.running.reportInterrupted((sessionId) => this.store(sessionId), options.now);
    });
  }

  async handle(request: Request): Promise<Response> {
    try {
      const call = (await request.json()) as ConversationRequest;
      // One check for every route: an owned conversation answers its owner only.
      this.owner.admit(call.owner);
      if (call.op === 'chat') return await this.chat(call.turn, call.owner);
      if (call.op === 'follow') return await this.follow(call.sessionId, call.messageId, call.afterEventId);
      if (call.op === 'stop') return await this.stop(call.stop);
      if (call.op === 'records') return await this.records(call.ids);
      if (call.op === 'admit') return new Response(null, { status: 204 });
      if (call.op === 'rename') return await this.rename(call.sessionId, call.title, call.nowIso, call.owner);
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

  private stream(open: (sse: SseStream) => void): Response {
    const sse = new SseStream({ pingIntervalMs: this.options.pingIntervalMs });
    open(sse);
    return sseResponse(sse);
  }

  private async chat(turn: ChatTurnRequest, owner: string | undefined): Promise<Response> {
    // The first owned turn makes this conversation its owner's (refusing any other owner's turn racing it); its
    // index entry then follows every exchange.
    this.owner.claim(owner);
    const userId = turn.id ?? this.options.newId();
    const replyId = await replyIdFor(userId);
    return this.serially(async () => {
      await this.owner.save();
      const known = this.replies.get(replyId);
      if (known !== undefined && known.userMessage.id === userId) {
        const final = known.finalRecord;
        if (final === undefined) return this.stream((sse) => known.attach(sse));
        return this.stream((sse) => replayReply(sse, known.userMessage, final));
      }
      const store = this.store(turn.sessionId);
      const context = (this.warm ??= await WarmContext.load(store, this.options.contextWindow));
      const setup = { env: this.env, options: this.options, store, context, running: this.running, owed: this.owed, onEnd: this.ended };
      const { response, live } = await setUpTurn(setup, turn, userId, replyId);
      if (live !== undefined) {
        this.replies.set(replyId, live);
        // The object stays alive while the reply runs (its I/O is pending); this also reports a failure of the run.
        this.state.waitUntil(live.ended.catch(this.options.log));
      }
      return response;
    });
  }

  private readonly ended = (live: LiveReply, final: ChatMessage | undefined): void => {
    if (final !== undefined) this.warm?.remember(final);
    const owner = this.owner.current;
    if (final !== undefined && owner !== undefined) this.indexExchange(owner, live.userMessage, final);
    void this.running.remove(live.assistantMessage.id);
    // Keep the few most recent ended replies, oldest dropped first (a Map iterates in insertion order).
    const ended = [...this.replies.values()].filter((reply) => reply.isFinal);
    for (const old of ended.slice(0, Math.max(0, ended.length - ENDED_REPLIES_KEPT))) {
      this.replies.delete(old.assistantMessage.id);
    }
  };

  /** At most one KV write per exchange, none when the owner's entry is unchanged (the writer keeps what it wrote). */
  private indexExchange(owner: string, userTurn: ChatMessage, reply: ChatMessage): void {
    this.index ??= ownerIndexWriter(this.options, this.env, owner, userTurn.sessionId);
    const messageCount = this.warm?.messageCount ?? 2;
    // A failed index write costs the owner's list this exchange's summary, never the exchange.
    this.state.waitUntil(this.index.record({ userTurn, reply, messageCount }).catch(this.options.log));
  }

  /**
   * A rename, through the writer that keeps the entry (so the next exchange keeps the new title). An unowned
   * conversation has no writer of its own: the requester's own entry, if any, is renamed.
   */
  private rename(sessionId: string, title: string, nowIso: string, requester: string | undefined): Promise<Response> {
    return this.serially(async () => {
      const owner = this.owner.current ?? requester;
      if (owner === undefined) throw new HttpError(401, 'unauthorized', 'Renaming a conversation needs an owner');
      const writer =
        this.owner.current === undefined
          ? ownerIndexWriter(this.options, this.env, owner, sessionId)
          : (this.index ??= ownerIndexWriter(this.options, this.env, owner, sessionId));
      const renamed = await writer.rename(title, nowIso);
      if (renamed === undefined) throw new HttpError(404, 'not_found', 'No such conversation');
      const body: RenameResponseBody = { conversation: renamed.summary };
      return jsonResponse(body);
    });
  }

  /** The reply in memory, once every set-up queued before this call has run. */
  private held(replyId: string): Promise<LiveReply | undefined> {
    return this.serially(async () => this.replies.get(replyId));
  }

  private async follow(sessionId: string, messageId: string, afterEventId: number | undefined): Promise<Response> {
    const live = await this.held(messageId);
    if (live !== undefined) return this.stream((sse) => live.attach(sse, afterEventId));
    const record = await storedReply(this.store(sessionId), this.owed, messageId, 'not_found', (found) =>
      presentMessage(found, this.options.now(), this.options.staleStreamingMs),
    );
    if (record.status === 'streaming') {
      // Its restart report could not be written: only history can say how it ended.
      throw new HttpError(409, 'resume_unavailable', 'This reply cannot be followed live; follow it through history');
    }
    // The reply's own sequence went with it from memory; the client's next id keeps its ids increasing all the same.
    return this.stream((sse) => sse.end(finalEvent(record), (afterEventId ?? 0) + 1));
  }

  /** Stop is a final act: a reply not running here is final already (or ended by a restart) and answered unchanged. */
  private async stop(stop: StopTurnRequest): Promise<Response> {
    const live = await this.held(stop.messageId);
    const message =
      live === undefined
        ? await storedReply(this.store(stop.sessionId), this.owed, stop.messageId, 'message_not_found', (found) =>
            // Not running here, so never running again: a stop ends it as interrupted, unwritten.
            presentMessage(found, this.options.now(), -1),
          )
        : await live.stop(stop.content);
    const body: StopResponseBody = { message };
    return jsonResponse(body);
  }

  /** Offers KV the records it refused before; run one at a time with set-ups and deletes (a delete forgives them). */
  payDebts(): Promise<void> {
    return this.serially(() => this.owed.flush());
  }

  /**
   * What this object knows of replies newer than KV says: the live reply's record so far, its final record, one
   * still owed to KV, or one its restart reported interrupted. History asks before it calls a stale reply
   * interrupted, and the Worker's stream guard before it ends a cut stream.
   */
  private async records(ids: readonly string[]): Promise<Response> {
    const known: ChatMessage[] = [];
    for (const id of ids) {
      const live = await this.held(id);
      const record = live?.finalRecord ?? live?.snapshot() ?? (await this.owed.get(id)) ?? this.running.reported.get(id);
      if (record !== undefined) known.push(record);
    }
    const body: ConversationRecordsBody = { messages: known };
    return jsonResponse(body);
  }

  private delete(sessionId: string): Promise<Response> {
    return this.serially(async () => {
      // Stopped first, so nothing of a reply is written after the delete.
      await Promise.all([...this.replies.values()].filter((live) => !live.isFinal).map((live) => live.cancelForDelete()));
      this.replies.clear();
      this.warm = undefined;
      // The route drops the owner's entry; a later exchange writes it anew.
      this.index = undefined;
      await this.state.storage.deleteAll();
      await this.owner.keep();
      return jsonResponse(await deleteConversation(this.store(sessionId)));
    });
  }
}
