import type { ChatClientOptions, ChatSnapshot, ChatStatus, OnlineEvents } from './chat-client-options';
import { ChatError } from './errors';
import { fetchJSON } from './http';
import { uuidv7 } from './ids';
import type { CachedReply } from './persistence';
import { ROUTE, type ChatMessage, type DeleteResponseBody } from './protocol';
import { openTabChannel } from './tabs';
import { isMessageOf } from './validate';
import { createChatContext, halt, stopReading, type ChatContext } from './chat/chat-context';
import { forgetConversation, notify, save, show, touch } from './chat/chat-view';
import { syncHistory } from './chat/history-sync';
import { followStreaming } from './chat/reply-follower';
import { saveResumePoint } from './chat/reply-reading';
import { stopReply } from './chat/reply-stop';
import { applyTabMessage } from './chat/tab-relay';
import { flush } from './chat/turn-sender';

/** The most `DELETE /history` calls one `clear()` makes: each deletes up to the Worker's per-request limit. */
const MAX_DELETE_CALLS = 100;

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
    const chat: ChatContext = createChatContext(options, (fallbackError) => {
      // Never silent (unless memory was asked for): a page that reloads into an empty conversation says why.
      if (options.indexedDB !== null) console.warn('chatkeep: storage in memory only,', fallbackError.message);
      options.onStorage?.({ type: 'storage', storage: 'memory', error: fallbackError });
      notify(chat);
    });
    const { messages, persistence, listeners, fetcher, endpoint } = chat;
    const globals = globalThis as Partial<typeof globalThis>;
    const pageEvents = options.onlineEvents === undefined ? (globals as Partial<OnlineEvents>) : options.onlineEvents;
    const hasStorage = options.storage ?? (options.indexedDB === undefined ? globals.indexedDB : options.indexedDB);

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
        chat.ready.then(() => {
          if (chat.closed) throw new ChatError('closed', 'closed');
          return work();
        }),
      );

    const sync = async (): Promise<void> => {
      await syncHistory(chat);
      if (chat.closed) return;
      void flush(chat);
      followStreaming(chat);
    };
    const onOnline = () => {
      // At once, not at the retry's time (a retry still scheduled finds nothing left to send).
      chat.offline = false;
      chat.retryAttempt = 0;
      chat.retryTimer = undefined;
      void sync();
    };
    /** The page is going away: the text shown of each reply being read is written, with the event it reaches. */
    const onPageHide = () => {
      for (const reading of chat.readings) void saveResumePoint(chat, reading.state);
    };

    notify(chat);
    this.subscribe = (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    };
    this.getSnapshot = () => chat.snapshot!;

    this.ready = chat.ready = (async () => {
      try {
        if (!hasStorage) throw new Error('no IndexedDB');
        const storage = persistence.storage;
        const sessions = await storage.sessions();
        if (!options.sessionId) chat.sessionId = sessions.sort((a, b) => b.at - a.at)[0]?.id ?? chat.sessionId;
        chat.cursor = sessions.find((s) => s.id === chat.sessionId)?.cursor;
        const rows: CachedReply[] = await storage.load(chat.sessionId);
        // Checked like records from the network: a row an older version, a bug or another script wrote is not
        // shown, and history is read whole, so the server's copy of it (if any) takes its place.
        const kept = rows.filter((row) => isMessageOf(row, chat.sessionId));
        if (kept.length < rows.length) chat.cursor = undefined;
        const shown = kept.map(({ lastEventId, ...message }) => {
          if (lastEventId !== undefined) chat.resumePoints.set(message.id, lastEventId);
          return message;
        });
        messages.reset(shown);
      } catch (cause) {
        persistence.fallBack(cause);
      }
      if (chat.closed) return persistence.storage.close();
      void touch(chat);
      chat.channel = openTabChannel(
        options.BroadcastChannel === undefined ? globals.BroadcastChannel : options.BroadcastChannel,
        `chatkeep:${chat.sessionId}`,
        (message) => applyTabMessage(chat, message),
      );
      pageEvents?.addEventListener?.('online', onOnline);
      pageEvents?.addEventListener?.('pagehide', onPageHide);
      notify(chat);
      void sync();
    })();

    this.sync = sync;

    this.send = (content) =>
      afterReady(async () => {
        if (!content.trim()) throw new ChatError('empty_content', 'empty');
        const last = messages.last();
        const now = chat.now();
        const turn: ChatMessage = {
          id: (options.makeMessageId ?? (() => uuidv7(now)))(),
          sessionId: chat.sessionId,
          role: 'user',
          content,
          // Never before the last record: a client clock behind the server's would otherwise show the turn early.
          timestamp: new Date(Math.max(now, last ? Date.parse(last.timestamp) + 1 : 0)).toISOString(),
          status: 'pending',
        };
        const settled = new Promise<ChatMessage>((resolve, reject) =>
          chat.waiters.set(turn.id, (outcome) => (outcome instanceof ChatError ? reject(outcome) : resolve(outcome))),
        );
        show(chat, [turn], [], false);
        await save(chat, (storage) => storage.enqueue(turn));
        // The one locked path every turn is sent through.
        void flush(chat, true);
        return settled;
      });

    this.stop = () =>
      afterReady(async () => {
        for (const reading of chat.readings)
          // A turn sent but not acknowledged yet: its reply is stopped the moment `start` names it.
          if (reading.state.reply || reading.replyId) stopReading(reading);
          else reading.stopWhenStarted = true;
        for (const reply of messages.all.filter((m) => m.status === 'streaming')) await stopReply(chat, reply);
      });

    this.clear = () =>
      afterReady(async () => {
        const url = `${endpoint}${ROUTE.history}?${new URLSearchParams({ sessionId: chat.sessionId })}`;
        // A long conversation is deleted in parts, each within the Worker's per-request limits.
        for (let calls = 1; (await fetchJSON<DeleteResponseBody>(fetcher, url, undefined, { method: 'DELETE' })).more; calls++)
          if (calls >= MAX_DELETE_CALLS) throw new ChatError('bad_response', 'endless delete');
        await forgetConversation(chat);
      });

    this.close = () => {
      if (chat.closed) return;
      chat.closed = true;
      halt(chat);
      chat.scheduler.cancelAll();
      // `send()` and the other public promises reject through `guarded`.
      for (const reject of outstanding) reject(new ChatError('closed', 'closed'));
      pageEvents?.removeEventListener?.('online', onOnline);
      pageEvents?.removeEventListener?.('pagehide', onPageHide);
      chat.channel?.close();
      listeners.clear();
      void this.ready.then(() => persistence.storage.close());
    };
  }
}
