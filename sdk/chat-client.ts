import { backoffDelay, isRetryable, retryAfterMs } from './backoff';
import type { ChatClientOptions, ChatSnapshot, ChatStatus, OnlineEvents, Timers } from './chat-client-options';
import { ChatError } from './errors';
import { fetchHistory, type HistoryRead } from './history';
import { fetchJSON, jsonPost, request, responseError, type Fetch } from './http';
import { makeSessionId, uuidv7 } from './ids';
import { merge } from './merge';
import { createMessageList } from './message-list';
import { planOutbox } from './outbox';
import { createPersistence, fromRow, keepNothing, type CachedReply } from './persistence';
import {
  CHECKPOINT_INTERVAL_MS,
  DEFAULT_BASE_PATH,
  isFinalStatus,
  REPLY_ID_SUFFIX,
  ROUTE,
  type ChatMessage,
  type DeleteResponseBody,
  type StopResponseBody,
} from './protocol';
import { readReply } from './reply-reader';
import { resumingReply, sendingReply, shownReply, type ReplyState } from './reply-stream';
import { createScheduler } from './scheduler';
import { idbStorage } from './storage/idb-storage';
import { openTabChannel, runExclusive, type TabChannel, type TabMessage } from './tabs';
import { isFinalReply } from './validate';

/** One reply this page is reading: a turn it sends, or a reply it follows. */
interface ReplyActivity {
  controller: AbortController;
  /** The user turn the reply answers. */
  userId: string;
  /** The reply followed (known before its stream says so). */
  replyId?: string;
  /** The reply as folded so far. */
  state?: ReplyState;
  /** Ended on purpose (stop, clear, close): not followed, not retried. */
  stopped?: boolean;
  /** When the reply was last checkpointed to the cache, in ms. */
  savedAt?: number;
  /** How much of the reply's text other tabs were told, and when. */
  told?: number;
  toldAt?: number;
}

/** A `send()` waiting for its reply. */
interface Waiter {
  resolve: (message: ChatMessage) => void;
  reject: (error: ChatError) => void;
}

/** The most `DELETE /history` calls one `clear()` makes: each deletes up to the Worker's per-request limit. */
const MAX_DELETE_CALLS = 100;
/**
 * Other tabs are told a streaming reply's new text at most this often: reads that arrive faster than a screen
 * refreshes are told together, and the rest of the reply comes with its final record.
 */
const TAB_APPEND_INTERVAL_MS = 50;
/** Resume attempts in a row that bring nothing new before a followed reply is read through history instead. */
const MAX_IDLE_RESUMES = 3;
/** History reads in a row without a followed reply before it is taken as deleted (KV lists lag a little). */
const ABSENT_READS_TO_GONE = 2;

/**
 * One conversation, cached in IndexedDB, streamed from the chatkeep Worker, and kept in step with its history and
 * with other tabs. Unsent turns wait in an outbox and go out, once, when the Worker can be reached: retries wait
 * with full jitter from 100 ms up to a minute (or as long as `Retry-After` says), never follow a 4xx other than
 * 408/429, and go at once on the `online` event, on the next load and on `sync()`. A reply in progress that this
 * page did not start (a reload, another device) is followed live through `GET /chat/stream`, from the last event
 * the cache holds; history is polled only where the Worker cannot resume it.
 *
 * @example
 * ```ts
 * const chat = new ChatClient({ endpoint: '/api' });
 * await chat.ready;                                   // the cached conversation, no network awaited
 * const off = chat.subscribe(() => render(chat.getSnapshot()));
 * const reply = await chat.send('Hello');             // the final assistant turn (or the queued user turn offline)
 * ```
 */
export class ChatClient {
  /** Resolves once the cached conversation is loaded (from IndexedDB only; history is fetched after). */
  declare readonly ready: Promise<void>;
  /**
   * Calls `listener` after every change of the snapshot; returns the unsubscribe function. A listener that throws
   * changes nothing: its error is re-thrown on a microtask.
   */
  declare readonly subscribe: (listener: () => void) => () => void;
  /** The current {@link ChatSnapshot}; the same object until something changes. */
  declare readonly getSnapshot: () => ChatSnapshot;
  /**
   * Sends a user turn and streams the reply. Resolves with the final assistant turn, or with the queued user turn
   * when the Worker cannot be reached (it is sent later, once). Rejects with a {@link ChatError} when the Worker
   * refuses the turn (e.g. `content_too_long`; the turn is then removed), with `conversation_deleted` when the
   * conversation is deleted elsewhere meanwhile, and with `closed` when the client is closed first.
   */
  declare readonly send: (content: string) => Promise<ChatMessage>;
  /**
   * Stops every streaming reply, those this page sends and those it follows: each ends `aborted` with the text
   * shown so far, here and on the Worker.
   */
  declare readonly stop: () => Promise<void>;
  /** Fetches history and merges it, then sends the outbox. Never rejects: failures show in `status` and `error`. */
  declare readonly sync: () => Promise<void>;
  /** Deletes the conversation on the Worker, then here. Rejects with a {@link ChatError} if the Worker cannot. */
  declare readonly clear: () => Promise<void>;
  /**
   * Releases listeners, timers, channels, locks and the database; every promise still outstanding rejects with a
   * `closed` {@link ChatError}. The outbox stays for the next load.
   */
  declare readonly close: () => void;

  get messages(): readonly ChatMessage[] {
    return this.getSnapshot().messages;
  }
  get status(): ChatStatus {
    return this.getSnapshot().status;
  }
  /** The conversation's id; when none was given, read it after `ready` (the last one used is reopened). */
  get sessionId(): string {
    return this.getSnapshot().sessionId;
  }

  constructor(options: ChatClientOptions = {}) {
    const globals = globalThis as Partial<typeof globalThis>;
    const endpoint = (options.endpoint ?? DEFAULT_BASE_PATH).replace(/\/$/, '');
    const fetcher: Fetch = options.fetch ?? ((url, init) => fetch(url, init));
    const now = options.now ?? Date.now;
    // Called as methods of `globalThis`: a detached `setTimeout` throws "Illegal invocation" in browsers.
    const timers = options.timers ?? (globals as Timers);
    const scheduler = createScheduler(timers);
    const pageEvents = options.onlineEvents === undefined ? (globals as Partial<OnlineEvents>) : options.onlineEvents;
    const locks = options.locks === undefined ? globals.navigator?.locks : options.locks;
    const stallTimeoutMs = options.stallTimeoutMs ?? 30_000;
    const checkpointIntervalMs = options.checkpointIntervalMs ?? CHECKPOINT_INTERVAL_MS;
    const pollBackoff = options.historyPollBackoff ?? { baseMs: 500, capMs: 10_000 };
    const pollDelay = (attempt: number) => Math.min(pollBackoff.capMs, pollBackoff.baseMs * 2 ** attempt);

    let sessionId = options.sessionId ?? (options.makeSessionId ?? makeSessionId)();
    const messages = createMessageList();
    /** The last event id each cached streaming reply's text includes: where a resume starts. */
    const resumePoints = new Map<string, string>();
    const activities = new Set<ReplyActivity>();
    /** The `send()` of each turn still waiting for its reply (turn ids are unique: one each). */
    const waiters = new Map<string, Waiter>();
    const listeners = new Set<() => void>();
    let cursor: string | undefined;
    let snapshot: ChatSnapshot | undefined;
    let snapshotMessages: (() => readonly ChatMessage[]) | undefined;
    let syncing: Promise<HistoryRead | undefined> | undefined;
    let offline = false;
    let closed = false;
    let error: ChatError | undefined;
    let retryAttempt = 0;
    let retryTimer: unknown;
    let channel: TabChannel | undefined;

    const factory = options.indexedDB === undefined ? globals.indexedDB : options.indexedDB;
    const persistence = createPersistence({
      storage: options.storage ?? (factory ? idbStorage(factory) : keepNothing()),
      sessionId: () => sessionId,
      onFallback: (fallbackError) => {
        options.onStorage?.({ type: 'storage', storage: 'memory', error: fallbackError });
        notify();
      },
    });
    const save = persistence.save;

    /** How to reject each public call still outstanding: `close()` does. A settled call leaves, and keeps nothing. */
    const outstanding = new Set<(error: ChatError) => void>();
    /** `work`, or a `closed` rejection if the client closes first: no promise of a closed client stays pending. */
    const guarded = <T>(work: Promise<T>): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        outstanding.add(reject);
        void work.then(resolve, reject).finally(() => outstanding.delete(reject));
      });
    /** A public call: `work` once the cache is loaded, guarded against `close()`; none starts on a closed client. */
    const afterReady = <T>(work: () => Promise<T>): Promise<T> =>
      guarded(
        this.ready.then(() => {
          if (closed) throw new ChatError('closed', 'closed');
          return work();
        }),
      );

    const notify = () => {
      const status: ChatStatus = offline ? 'offline' : activities.size ? 'streaming' : syncing ? 'syncing' : 'idle';
      const storage = persistence.kind;
      const shownMessages = messages.view();
      if (
        // The session id changes only on load, together with the messages.
        snapshotMessages === shownMessages &&
        snapshot?.status === status &&
        snapshot.storage === storage &&
        snapshot.error === error
      )
        return;
      snapshotMessages = shownMessages;
      // The array is built when the app reads it: a streamed chunk costs no copy of a long conversation.
      snapshot = {
        get messages() {
          return shownMessages();
        },
        status,
        sessionId,
        storage,
        error,
      };
      for (const listener of listeners) {
        try {
          listener();
        } catch (listenerError) {
          // A subscriber's failure is the app's to see, not the stream's: it changes no state here.
          queueMicrotask(() => {
            throw listenerError;
          });
        }
      }
    };

    /** Settles the `send()` of the turn `userId`, if one waits: with the message, or with the error. */
    const settleWaiter = (userId: string, outcome: ChatMessage | ChatError) => {
      const waiter = waiters.get(userId);
      waiters.delete(userId);
      if (outcome instanceof ChatError) waiter?.reject(outcome);
      else waiter?.resolve(outcome);
    };

    /**
     * Shows records and drops ids; a final reply settles the `send()` waiting for it. `persist` writes the change
     * to the cache, `broadcast` tells other tabs.
     */
    const show = (records: readonly ChatMessage[], drops: readonly string[] = [], persist = true, broadcast = true) => {
      if (!messages.apply(records, drops)) return;
      // A reply read here settles its `send()` once its reading has ended (then `status` no longer says streaming).
      for (const record of records)
        if (record.role === 'assistant' && record.replyTo && isFinalStatus(record.status) && !isReadHere(record.replyTo))
          settleWaiter(record.replyTo, (record));
      if (broadcast) channel?.post({ put: records, drops });
      if (persist) void save((storage) => storage.put(sessionId, records, drops));
      notify();
    };

    const fail = (cause: unknown) => {
      error = cause instanceof ChatError ? cause : new ChatError('network_error', String(cause));
      offline ||= error.code === 'network_error';
      notify();
    };
    const touch = () => save((storage) => storage.saveSession({ id: sessionId, at: now(), cursor }));
    const dequeue = (id: string) => save((storage) => storage.dequeue(id));
    /** Whether this page reads a reply to the turn `userId` (sends it, or follows its reply): a reply is known by its turn. */
    const isReadHere = (userId: string | undefined) => [...activities].some((activity) => activity.userId === userId);
    /** A reading has ended: its `send()` settles if the reply is final. */
    const endReading = (activity: ReplyActivity) => {
      activities.delete(activity);
      notify();
      // No record has an empty id: a reading that never learnt its reply's finds none.
      const reply = messages.get(activity.replyId ?? activity.state?.reply?.id ?? '');
      if (reply && isFinalStatus(reply.status) && !isReadHere(activity.userId))
        settleWaiter(activity.userId, (reply));
    };
    /**
     * Records from history or another tab, less the replies read here (ahead of any copy from elsewhere); those
     * taken replace any checkpoint's resume point.
     */
    const fromElsewhere = (records: readonly ChatMessage[]) => {
      const taken = records.filter((m) => isFinalStatus(m.status) || !isReadHere(m.replyTo));
      for (const m of taken) resumePoints.delete(m.id);
      return taken;
    };

    /** Forgets the conversation here (deleted on the Worker, by this page or elsewhere). */
    const forgetConversation = async (reason?: ChatError) => {
      halt();
      messages.reset([]);
      resumePoints.clear();
      cursor = undefined;
      for (const userId of waiters.keys())
        settleWaiter(userId, (reason ?? new ChatError('conversation_deleted', 'deleted')));
      notify();
      channel?.post({ clear: true });
      await save((storage) => storage.drop(sessionId));
      void touch();
    };

    const scheduleRetry = (delayMs?: number) => {
      retryTimer ??= scheduler.later(delayMs ?? backoffDelay(retryAttempt++), () => {
        retryTimer = undefined;
        void flush();
      });
    };

    /**
     * Shows a reply's progress: the acknowledgement (`start`) ends the turn's outbox entry, text is shown per
     * network read and told to other tabs as the text added, and the cache gets a checkpoint (with the event id it
     * reaches) at most once per `checkpointIntervalMs`.
     */
    const progress = (activity: ReplyActivity, state: ReplyState) => {
      const before = activity.state;
      activity.state = state;
      const reply = shownReply(state);
      if (!reply) return;
      const current = messages.get(reply.id);
      // A record already final (stopped, or history was faster) is never reopened by a late read; a resume that
      // starts over shows nothing until it has caught up with the text on screen.
      const behind = !state.final && current && (isFinalStatus(current.status) || current.content.length > reply.content.length);
      if (state.user && !before?.user) {
        // Acknowledged: only now may the outbox entry go, and the last failure is over.
        retryAttempt = 0;
        error = undefined;
        activity.savedAt = now();
        show(behind ? [state.user] : [state.user, state.final ?? reply]);
        void dequeue(state.user.id);
        return;
      }
      if (state.final || state.failure || behind) return;
      const at = now();
      show([reply], [], false, false);
      const from = activity.told;
      if (from === undefined || at - activity.toldAt! >= TAB_APPEND_INTERVAL_MS) {
        // A reading first tells other tabs the whole record (they may hold less, from an earlier reading of the same
        // reply), then the text added, at most once per interval.
        channel?.post(from === undefined ? { put: [reply] } : { append: { id: reply.id, from, text: reply.content.slice(from) } });
        activity.told = reply.content.length;
        activity.toldAt = at;
      }
      if (at - (activity.savedAt ?? 0) >= checkpointIntervalMs) {
        activity.savedAt = at;
        void saveResumePoint(state);
      }
    };
    const saveResumePoint = (state: ReplyState) => {
      const reply = shownReply(state);
      if (!reply || state.final || state.lastEventId === undefined) return;
      resumePoints.set(reply.id, state.lastEventId);
      const row: CachedReply = { ...reply, lastEventId: state.lastEventId };
      return save((storage) => storage.put(sessionId, [row]));
    };

    /** Reads a reply stream into `activity`; resolves whether the reply has said its last word. */
    const readInto = async (activity: ReplyActivity, body: ReadableStream<Uint8Array>, initial: ReplyState) => {
      const { stalled } = await readReply(body, initial, {
        timers,
        stallTimeoutMs,
        controller: activity.controller,
        onProgress: (state) => progress(activity, state),
      });
      return settleStream(activity, stalled);
    };
    /** After a reply stream ended: shows its last word, or goes on following the reply. */
    const settleStream = async (activity: ReplyActivity, stalled: boolean): Promise<boolean> => {
      const state = activity.state;
      if (state?.final) {
        show([state.final]);
        return true;
      }
      if (state?.failure?.code === 'conversation_deleted') {
        await forgetConversation(new ChatError('conversation_deleted', state.failure.message));
        return true;
      }
      if (activity.stopped || closed) return true;
      if (state?.broken) fail(new ChatError('bad_response', state.broken));
      else if (stalled) fail(new ChatError('stalled', 'stream stalled'));
      return false;
    };

    /**
     * Sends one turn and reads its reply; resolves whether the Worker was reached (it took the turn, or refused it
     * for good): when not, the turn stays queued, and so do the ones after it.
     */
    const post = async (turn: ChatMessage): Promise<boolean> => {
      const activity: ReplyActivity = { controller: new AbortController(), userId: turn.id };
      activities.add(activity);
      notify();
      try {
        const response = await request(
          fetcher,
          endpoint + ROUTE.chat,
          jsonPost({ sessionId, message: { id: turn.id, content: turn.content } }, activity.controller.signal),
        );
        offline = false;
        if (response.ok) {
          if (await readInto(activity, response.body!, sendingReply(sessionId, turn.id))) return true;
          const reply = activity.state?.reply;
          // Not acknowledged: the Worker may not have the turn; it stays queued and is sent again.
          if (!activity.state?.user || !reply) {
            if (!activity.state?.broken) fail(new ChatError('network_error', 'stream cut'));
            return unreachable(turn);
          }
          // The Worker persists the whole reply even without us: follow the rest.
          endReading(activity);
          void follow(messages.get(reply.id) ?? reply, activity.state?.lastEventId);
          return true;
        }
        const refusal = await responseError(response);
        if (refusal.code === 'reply_in_progress') {
          // The Worker has the turn and is still replying (another device sent it): follow that reply.
          void dequeue(turn.id);
          endReading(activity);
          void follow(undefined, undefined, turn.id);
          return true;
        }
        if (isRetryable(response.status)) {
          fail(refusal);
          return unreachable(turn, retryAfterMs(response.headers.get('retry-after'), now()));
        }
        // Refused for good (too long, unauthorized…): sending it again cannot help.
        show([], [turn.id]);
        void dequeue(turn.id);
        fail(refusal);
        settleWaiter(turn.id, (refusal));
        return true;
      } catch (cause) {
        if (activity.stopped || closed) return true;
        fail(cause);
        return unreachable(turn);
      } finally {
        endReading(activity);
      }
    };
    /** The turn stays queued: its `send()` resolves with it, and the outbox tries again later. */
    const unreachable = (turn: ChatMessage, delayMs?: number): false => {
      settleWaiter(turn.id, (messages.get(turn.id) ?? turn));
      scheduleRetry(delayMs);
      return false;
    };

    /**
     * Sends the outbox, oldest first, holding the outbox lock (one sender across tabs). `wait` queues behind the
     * holder instead of leaving the round to it: `send()` goes through here too.
     */
    const flush = (wait = false) =>
      runExclusive(
        locks,
        `chatkeep:outbox:${sessionId}`,
        async () => {
          if (closed) return;
          const plan = await planOutbox(persistence.storage, sessionId, messages.get, messages.pending()).catch(() => undefined);
          if (!plan) return;
          for (const turn of plan.requeue) await save((s) => s.enqueue(turn));
          for (const id of plan.done) void dequeue(id);
          for (const [index, turn] of plan.send.entries()) {
            if (closed) return;
            if (!messages.get(turn.id)) show([turn], [], false, false);
            if (await post(turn)) continue;
            // The Worker cannot be reached now: the turns after this one stay queued too, and their sends say so.
            for (const queued of plan.send.slice(index + 1))
              settleWaiter(queued.id, (messages.get(queued.id) ?? queued));
            return;
          }
        },
        wait,
      );

    /**
     * Follows a reply this page did not start: live through `GET /chat/stream` from the last event the cache
     * holds, through history where the Worker cannot resume it. `cached` is the record shown (absent when only the
     * user turn is known).
     */
    const follow = async (cached: ChatMessage | undefined, lastEventId?: string, userId = cached?.replyTo ?? ''): Promise<void> => {
      const replyId = cached?.id ?? userId + REPLY_ID_SUFFIX;
      if (closed || isReadHere(userId)) return;
      const activity: ReplyActivity = {
        controller: new AbortController(),
        userId,
        replyId,
        state: resumingReply(sessionId, userId, cached, lastEventId),
      };
      activities.add(activity);
      notify();
      try {
        for (let idle = 0; idle < MAX_IDLE_RESUMES && !activity.stopped && !closed; ) {
          const fromEventId = activity.state?.lastEventId;
          const query = new URLSearchParams({ sessionId, messageId: replyId });
          const response = await request(fetcher, `${endpoint}${ROUTE.chatStream}?${query}`, {
            headers: fromEventId === undefined ? {} : { 'last-event-id': fromEventId },
            signal: activity.controller.signal,
          });
          if (!response.ok) {
            // 409 `resume_unavailable` (no object holds the reply) or 404 (a Worker without the route): history.
            await response.body?.cancel().catch(() => undefined);
            break;
          }
          offline = false;
          const before = activity.state;
          if (await readInto(activity, response.body!, activity.state!)) return;
          if (activity.state?.broken) break;
          idle = activity.state === before ? idle + 1 : 0;
          activity.controller = new AbortController();
        }
        if (!activity.stopped && !closed) await followHistory(activity, replyId);
      } catch (cause) {
        if (activity.stopped || closed) return;
        fail(cause);
        await followHistory(activity, replyId);
      } finally {
        endReading(activity);
      }
    };
    /** Polls history (with backoff) until the reply is final, or gone from the Worker. */
    const followHistory = async (activity: ReplyActivity, replyId: string) => {
      for (let attempt = 0, absent = 0; !activity.stopped && !closed; attempt++) {
        const read = await syncHistory();
        const reply = messages.get(replyId);
        if (reply && isFinalStatus(reply.status)) return;
        if (read && !read.ids.includes(replyId) && (reply || !read.ids.includes(activity.userId))) {
          // An older Worker ends no stream when the conversation is deleted elsewhere (a conversation is only ever
          // deleted whole): history says so.
          if (++absent >= ABSENT_READS_TO_GONE) return forgetConversation(new ChatError('conversation_deleted', 'reply gone from history'));
        } else absent = 0;
        await scheduler.sleep(pollDelay(attempt));
      }
    };

    /** Reads history and merges it once; resolves with the read, or `undefined` when it failed. */
    const syncHistory = (): Promise<HistoryRead | undefined> =>
      (syncing ??= (async () => {
        await this.ready;
        notify();
        let read: HistoryRead | undefined;
        try {
          read = await fetchHistory(fetcher, endpoint, sessionId, cursor);
          offline = false;
          error = read.rejected ? new ChatError('bad_response', 'malformed records') : undefined;
          const { writes, drops } = merge(messages.map, read, now());
          // A reply this page reads itself is ahead of any checkpoint.
          show(fromElsewhere(writes), drops);
          cursor = read.cursor;
          void touch();
        } catch (cause) {
          fail(cause);
        }
        syncing = undefined;
        notify();
        return read;
      })());

    /** Follows every reply shown as streaming that nothing here reads yet. */
    const followStreaming = () => {
      for (const m of messages.all)
        if (m.status === 'streaming' && m.role === 'assistant' && !isReadHere(m.replyTo)) void follow(m, resumePoints.get(m.id));
    };

    const sync = async (): Promise<void> => {
      await syncHistory();
      if (closed) return;
      void flush();
      followStreaming();
    };

    /** A reply grown by text as the fold grows it: its parts (when it has them) end in that text too. */
    const withText = (reply: ChatMessage, text: string): ChatMessage => {
      const grown = { ...reply, content: reply.content + text };
      if (reply.parts) {
        const last = reply.parts.at(-1);
        grown.parts =
          last?.type === 'text' ? [...reply.parts.slice(0, -1), { type: 'text', text: last.text + text }] : [...reply.parts, { type: 'text', text }];
      }
      return grown;
    };
    const onTab = (message: TabMessage) => {
      if (message.clear) {
        messages.reset([]);
        notify();
      }
      const append = message.append;
      const target = append && messages.get(append.id);
      if (append && target?.status === 'streaming' && target.content.length === append.from && !isReadHere(target.replyTo))
        show([withText(target, append.text)], [], false, false);
      show(fromElsewhere(message.put ?? []), message.drops ?? [], false, false);
    };
    const onOnline = () => {
      // At once, not at the retry's time (a retry still scheduled finds nothing left to send).
      offline = false;
      retryAttempt = 0;
      retryTimer = undefined;
      void sync();
    };
    /** The page is going away: the text shown of each reply being read is written, with the event it reaches. */
    const onPageHide = () => {
      for (const activity of activities) if (activity.state) void saveResumePoint(activity.state);
    };
    const halt = () => {
      for (const activity of activities) {
        activity.stopped = true;
        activity.controller.abort();
      }
    };

    notify();
    this.subscribe = (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    };
    this.getSnapshot = () => snapshot!;

    this.ready = (async () => {
      try {
        if (!options.storage && !factory) throw new Error('no IndexedDB');
        const storage = persistence.storage;
        const sessions = await storage.sessions();
        if (!options.sessionId) sessionId = sessions.sort((a, b) => b.at - a.at)[0]?.id ?? sessionId;
        cursor = sessions.find((s) => s.id === sessionId)?.cursor;
        const rows = (await storage.load(sessionId)).map(fromRow);
        for (const [message, lastEventId] of rows) if (lastEventId !== undefined) resumePoints.set(message.id, lastEventId);
        messages.reset(rows.map(([message]) => message));
      } catch (cause) {
        persistence.fallBack(cause);
      }
      if (closed) return persistence.storage.close();
      void touch();
      channel = openTabChannel(
        options.BroadcastChannel === undefined ? globals.BroadcastChannel : options.BroadcastChannel,
        `chatkeep:${sessionId}`,
        onTab,
      );
      pageEvents?.addEventListener?.('online', onOnline);
      pageEvents?.addEventListener?.('pagehide', onPageHide);
      notify();
      void sync();
    })();

    this.sync = sync;

    this.send = (content) =>
      afterReady(async () => {
          if (!content.trim()) throw new ChatError('empty_content', 'empty');
          const last = messages.all.at(-1);
          const turn: ChatMessage = {
            id: (options.makeMessageId ?? (() => uuidv7(now())))(),
            sessionId,
            role: 'user',
            content,
            // Never before the last record: a client clock behind the server's would otherwise show the turn early.
            timestamp: new Date(Math.max(now(), last ? Date.parse(last.timestamp) + 1 : 0)).toISOString(),
            status: 'pending',
          };
          const settled = new Promise<ChatMessage>((resolve, reject) => waiters.set(turn.id, { resolve, reject }));
          show([turn], [], false);
          await save((storage) => storage.enqueue(turn));
          // The one locked path every turn is sent through.
          void flush(true);
          return settled;
      });

    this.stop = () =>
      afterReady(async () => {
          halt();
          for (const reply of messages.all.filter((m) => m.status === 'streaming')) {
            show([{ ...reply, status: 'aborted' }]);
            try {
              const body = { sessionId, messageId: reply.id, content: reply.content };
              const answer = await fetchJSON<Partial<StopResponseBody> | null>(fetcher, endpoint + ROUTE.stop, body);
              const record = answer?.message;
              // Checked like every record from the network: of this conversation, the reply stopped, final.
              if (!isFinalReply(record, sessionId, reply.id)) throw new ChatError('bad_response', 'bad stop answer');
              show([record]);
            } catch (cause) {
              fail(cause);
            }
          }
      });

    this.clear = () =>
      afterReady(async () => {
          const url = `${endpoint}${ROUTE.history}?${new URLSearchParams({ sessionId })}`;
          // A long conversation is deleted in parts, each within the Worker's per-request limits.
          for (let calls = 1; (await fetchJSON<DeleteResponseBody>(fetcher, url, undefined, { method: 'DELETE' })).more; calls++)
            if (calls >= MAX_DELETE_CALLS) throw new ChatError('bad_response', 'endless delete');
          await forgetConversation();
      });

    this.close = () => {
      if (closed) return;
      closed = true;
      halt();
      scheduler.cancelAll();
      // `send()` and the other public promises reject through `guarded`.
      for (const reject of outstanding) reject(new ChatError('closed', 'closed'));
      pageEvents?.removeEventListener?.('online', onOnline);
      pageEvents?.removeEventListener?.('pagehide', onPageHide);
      channel?.close();
      listeners.clear();
      void this.ready.then(() => persistence.storage.close());
    };
  }
}
