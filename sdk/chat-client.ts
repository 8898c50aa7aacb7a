import { backoffDelay, isRetryable, retryAfterMs } from './backoff';
import type { ChatClientOptions, ChatSnapshot, ChatStatus, OnlineEvents, Timers } from './chat-client-options';
import { ChatError } from './errors';
import { fetchHistory } from './history';
import { fetchJSON, jsonPost, request, responseError, type Fetch } from './http';
import { makeSessionId, uuidv7 } from './ids';
import { merge } from './merge';
import { isMessageOf } from './validate';
import { byTime } from './order';
import {
  CHECKPOINT_INTERVAL_MS,
  DEFAULT_BASE_PATH,
  EVENT,
  isFinalStatus,
  type ChatMessage,
  type DeleteResponseBody,
  type DeltaEventData,
  type DoneEventData,
  type StartEventData,
  type StopResponseBody,
} from './protocol';
import { readSSE } from './sse-reader';
import { evictOldest, type ChatStorage } from './storage/chat-storage';
import { idbStorage } from './storage/idb-storage';
import { memoryStorage } from './storage/memory-storage';
import { openTabChannel, runExclusive, type TabChannel, type TabMessage } from './tabs';

/** One reply request in flight from this client. */
interface Live {
  ctl: AbortController;
  /** The assistant turn as `start` announced it: its id says which reply this client streams. */
  msg?: ChatMessage;
  /** Ended on purpose (stop, clear, close): not followed, not retried. */
  stopped?: boolean;
  /** The user turn sent. */
  id: string;
}

/**
 * One conversation, cached in IndexedDB, streamed from the chatkeep Worker, and kept in step with its history and
 * with other tabs. Unsent turns wait in an outbox and go out, once, when the Worker can be reached: retries wait
 * with full jitter from 100 ms up to a minute (or as long as `Retry-After` says), never follow a 4xx other than
 * 408/429, and go at once on the `online` event, on the next load and on `sync()`.
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
  /** Calls `listener` after every change; returns the unsubscribe function. */
  declare readonly subscribe: (listener: () => void) => () => void;
  /** The current {@link ChatSnapshot}; the same object until something changes. */
  declare readonly getSnapshot: () => ChatSnapshot;
  /**
   * Sends a user turn and streams the reply. Resolves with the final assistant turn, or with the queued user turn
   * when the Worker cannot be reached (it is sent later, once). Rejects with a {@link ChatError} when the Worker
   * refuses the turn (e.g. `content_too_long`); the turn is then removed.
   */
  declare readonly send: (content: string) => Promise<ChatMessage>;
  /** Stops every streaming reply: it ends `aborted` with the text shown so far, here and on the Worker. */
  declare readonly stop: () => Promise<void>;
  /** Fetches history and merges it, then sends the outbox. Never rejects: failures show in `status` and `error`. */
  declare readonly sync: () => Promise<void>;
  /** Deletes the conversation on the Worker, then here. Rejects with a {@link ChatError} if the Worker cannot. */
  declare readonly clear: () => Promise<void>;
  /** Releases listeners, timers, channels, locks and the database. The outbox stays for the next load. */
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

  constructor(o: ChatClientOptions = {}) {
    const g = globalThis as Partial<typeof globalThis>;
    const endpoint = (o.endpoint ?? DEFAULT_BASE_PATH).replace(/\/$/, '');
    const f: Fetch = o.fetch ?? ((u, i) => fetch(u, i));
    const now = o.now ?? Date.now;
    // Called as methods of `globalThis`: a detached `setTimeout` throws "Illegal invocation" in browsers.
    const st = o.timers ?? (g as Timers);
    const events = o.onlineEvents === undefined ? (g as Partial<OnlineEvents>) : o.onlineEvents;
    const poll = o.historyPollBackoff ?? { baseMs: 500, capMs: 10_000 };
    const pollDelay = (i: number) => Math.min(poll.capMs, poll.baseMs * 2 ** i);

    let sid = o.sessionId ?? (o.makeSessionId ?? makeSessionId)();
    let ms: ChatMessage[] = [];
    let cursor: string | undefined;
    let store: ChatStorage;
    let kind: ChatSnapshot['storage'] = 'indexeddb';
    let snap: ChatSnapshot;
    let syncing: Promise<void> | undefined;
    let offline = false;
    let closed = false;
    let error: ChatError | undefined;
    let attempt = 0;
    let polls = 0;
    let retrying: unknown;
    let polling: unknown;
    let channel: TabChannel;
    const lives = new Set<Live>();
    const timers = new Set<unknown>();
    const listeners = new Set<() => void>();

    const emit = () => {
      snap = {
        messages: ms,
        status: offline ? 'offline' : lives.size ? 'streaming' : syncing ? 'syncing' : 'idle',
        sessionId: sid,
        storage: kind,
        error,
      };
      listeners.forEach((l) => l());
    };
    const find = (id: string) => ms.find((m) => m.id === id);
    const streamedHere = () => [...lives].map((l) => l.msg?.id);
    /** Shows `list` in place of the records with their ids, and no longer those of `drops`. */
    const upsert = (list: readonly ChatMessage[], drops: readonly string[] = []) => {
      // A new array (a snapshot never changes), but no Map and no sort unless a record is new or moved in time: a
      // streamed reply keeps its place, so a long conversation costs one copy and one scan per chunk.
      ms = ms.filter((m) => !drops.includes(m.id));
      for (const m of list) {
        const i = ms.findIndex((x) => x.id === m.id);
        // In its place (or at the end), sorted only if it was not there or its time changed.
        if (ms.splice(i < 0 ? ms.length : i, 1, m)[0]?.timestamp !== m.timestamp) ms.sort(byTime);
      }
      emit();
    };
    const later = (delay: number, fn: () => void) => {
      const h = st.setTimeout(() => timers.delete(h) && !closed && fn(), delay);
      timers.add(h);
      return h;
    };
    const fail = (e: unknown) => {
      error = e instanceof ChatError ? e : new ChatError(e instanceof SyntaxError ? 'bad_response' : 'network_error', String(e));
      offline ||= error.code === 'network_error';
      emit();
    };

    const fallback = async (e: unknown) => {
      kind = 'memory';
      store?.close();
      store = memoryStorage();
      for (const m of ms) await (m.status === 'pending' ? store.enqueue(m) : store.put(sid, [m]));
      o.onStorage?.({ type: 'storage', storage: 'memory', error: new ChatError('storage_unavailable', String(e)) });
      emit();
    };
    /** Runs a storage operation; the in-memory state is already updated, so a failed write loses nothing shown. */
    const save = async (op: (s: ChatStorage) => Promise<unknown>): Promise<void> => {
      for (let i = 0; i < 4; i++) {
        try {
          return void (await op(store));
        } catch (e) {
          if ((e as Error).name === 'QuotaExceededError' && (await evictOldest(store, sid).catch(() => 0))) continue;
          if (kind === 'memory') return;
          await fallback(e);
        }
      }
    };
    /** Shows records, tells other tabs, and (unless a mere delta) writes them. */
    const write = (list: ChatMessage[], drops: string[] = [], persist = true) => {
      upsert(list, drops);
      channel?.post({ put: list, drops });
      if (persist) void save((s) => s.put(sid, list, drops));
    };
    const touch = () => save((s) => s.saveSession({ id: sid, at: now(), cursor }));
    const dequeue = (id: string) => save((s) => s.dequeue(id));

    const retry = (delay?: number) => {
      retrying ??= later(delay ?? backoffDelay(attempt++), () => {
        retrying = undefined;
        flush();
      });
    };
    const flush = () =>
      void runExclusive(o.locks === undefined ? g.navigator?.locks : o.locks, `chatkeep:outbox:${sid}`, async () => {
        // Taken before reading the outbox: a turn `send` shows meanwhile is being queued, not lost.
        const shown = ms;
        const queued = await store.outbox(sid).catch((): string[] => []);
        const unqueued = shown.filter((m) => m.status === 'pending' && !queued.includes(m.id));
        if (unqueued.length) {
          // A turn shown pending whose entry and record are both gone was lost with the database (site data
          // cleared, another tab deleted it): it is queued again. One whose record is still stored was dequeued on
          // purpose, by a tab that sent it.
          const stored = (await store.load(sid).catch((): ChatMessage[] => [])).map((m) => m.id);
          for (const m of unqueued)
            if (!stored.includes(m.id)) {
              await save((s) => s.enqueue(m));
              queued.push(m.id);
            }
        }
        for (const id of queued) {
          const m = find(id);
          if (closed) break;
          // The server already holds it (history said so): the entry is done.
          if (m?.status !== 'pending') void dequeue(id);
          else if (![...lives].some((l) => l.id === id) && !(await post(m).catch(() => m))) break;
        }
      });

    /** Polls history until the reply to (or with) `id` is final. */
    const follow = async (id: string): Promise<ChatMessage | undefined> => {
      for (let i = 0; !closed; i++) {
        await sync();
        const r = ms.find((m) => m.role === 'assistant' && (m.id === id || m.replyTo === id));
        if (r && isFinalStatus(r.status)) return r;
        await new Promise((res) => later(pollDelay(i), () => res(0)));
      }
      return undefined;
    };

    /**
     * Reads the reply stream for the user turn `m`; resolves with the final assistant turn, or `undefined` if the
     * turn was never acknowledged. An event that does not fit (malformed, foreign, out of order) ends the stream as
     * broken: nothing of it reaches the cache.
     */
    const stream = async (body: ReadableStream<Uint8Array>, me: Live, m: ChatMessage): Promise<ChatMessage | undefined> => {
      let a: ChatMessage | undefined;
      let end: ChatMessage | undefined;
      let savedAt = 0;
      let stall: unknown;
      /** The text of this chunk's deltas, not yet shown. */
      let text = '';
      // After each chunk, shows its deltas at once: a fast stream brings dozens a read, and each write copies the
      // list, notifies subscribers and tells other tabs. Then waits for the next chunk, or aborts a stalled stream.
      const arm = () => {
        if (text) {
          const checkpoint = now() - savedAt >= (o.checkpointIntervalMs ?? CHECKPOINT_INTERVAL_MS);
          if (checkpoint) savedAt = now();
          write([(a = { ...a!, content: a!.content + text })], [], checkpoint);
          text = '';
        }
        st.clearTimeout(stall);
        stall = st.setTimeout(() => me.ctl.abort(), o.stallTimeoutMs ?? 30_000);
      };
      const bad = () => {
        throw new ChatError('bad_response', 'unexpected reply stream');
      };
      arm();
      try {
        await readSSE(
          body,
          ({ event, data }) => {
            if (event === EVENT.delta) {
              const d = JSON.parse(data) as DeltaEventData;
              if (a && d.id === a.id && typeof d.text === 'string') text += d.text;
            } else if (event === EVENT.start) {
              const { userMessage: u, assistantMessage: x } = JSON.parse(data) as StartEventData;
              if (a || !isMessageOf(u, sid) || u.id !== m.id || !isMessageOf(x, sid) || x.replyTo !== m.id) bad();
              me.msg = a = x;
              attempt = 0;
              savedAt = now();
              write([u, x]);
              // Acknowledged: only now may the outbox entry go.
              void dequeue(m.id);
            } else if (event === EVENT.done || event === EVENT.error) {
              const x = (JSON.parse(data) as DoneEventData).message;
              if (!isMessageOf(x, sid) || x.id !== a?.id) bad();
              // The final record holds the whole text: deltas not yet shown are in it.
              text = '';
              write([(end = x)]);
            }
          },
          arm,
        );
        // The Worker starts every 200 answer with `start`: a body that ended without one was not its stream.
        if (!a) bad();
      } catch (e) {
        // Aborted (stop, close, stall), the connection dropped, or the stream made no sense.
        if (!me.ctl.signal.aborted) fail(e);
      }
      // Deltas that came before a broken event were sound: they are shown.
      arm();
      st.clearTimeout(stall);
      if (end || me.stopped) return end ?? (a && find(a.id));
      if (!a) return void retry();
      // The Worker persists the whole reply even without us: read the rest from history.
      write([a]);
      return follow(a.id);
    };

    const post = async (m: ChatMessage): Promise<ChatMessage | undefined> => {
      const me: Live = { ctl: new AbortController(), id: m.id };
      lives.add(me);
      try {
        const res = await request(
          f,
          `${endpoint}/chat`,
          jsonPost({ sessionId: sid, message: { id: m.id, content: m.content } }, me.ctl.signal),
        );
        offline = false;
        if (res.ok) return await stream(res.body!, me, m);
        const err = await responseError(res);
        if (err.code === 'reply_in_progress') {
          // The Worker has the turn and is still replying: the entry is done, the reply comes through history.
          void dequeue(m.id);
          return await follow(m.id);
        }
        if (isRetryable(res.status)) return void retry(retryAfterMs(res.headers.get('retry-after'), now()));
        // Refused for good (too long, unauthorized…): sending it again cannot help.
        write([], [m.id]);
        void dequeue(m.id);
        throw err;
      } catch (e) {
        if (me.stopped) return undefined;
        fail(e);
        if ((e as ChatError).code !== 'network_error') throw e;
        return void retry();
      } finally {
        lives.delete(me);
        emit();
      }
    };

    const sync = (): Promise<void> =>
      (syncing ??= (async () => {
        await this.ready;
        emit();
        try {
          const h = await fetchHistory(f, endpoint, sid, cursor);
          offline = false;
          error = undefined;
          const r = merge(ms, h, now());
          if (h.rejected) fail(new ChatError('bad_response', `${h.rejected} malformed records ignored`));
          ms = r.messages;
          cursor = h.cursor;
          if (r.writes.length + r.drops.length) write(r.writes, r.drops);
          void touch();
        } catch (e) {
          fail(e);
        }
        syncing = undefined;
        emit();
        if (closed) return;
        flush();
        // A reply streaming elsewhere (another tab, a page reloaded mid-reply) is followed until it is final.
        const here = streamedHere();
        if (!ms.some((m) => m.status === 'streaming' && !here.includes(m.id))) polls = 0;
        else
          polling ??= later(pollDelay(polls++), () => {
            polling = undefined;
            void sync();
          });
      })());

    const onTab = (t: TabMessage) => {
      const here = streamedHere();
      if (t.clear) ms = [];
      // The reply this tab streams itself is ahead of any copy another tab has.
      upsert((t.put ?? []).filter((m) => !here.includes(m.id)), t.drops);
    };
    const onOnline = () => {
      offline = false;
      attempt = 0;
      timers.delete(retrying);
      st.clearTimeout(retrying);
      retrying = undefined;
      void sync();
    };
    const halt = () =>
      lives.forEach((l) => {
        l.stopped = true;
        l.ctl.abort();
      });

    emit();
    this.subscribe = (l) => {
      listeners.add(l);
      return () => void listeners.delete(l);
    };
    this.getSnapshot = () => snap;

    this.ready = (async () => {
      const factory = o.indexedDB === undefined ? g.indexedDB : o.indexedDB;
      store = o.storage ?? idbStorage(factory!);
      try {
        if (!o.storage && !factory) throw Error('no IndexedDB');
        const sessions = await store.sessions();
        if (!o.sessionId) sid = sessions.sort((a, b) => b.at - a.at)[0]?.id ?? sid;
        cursor = sessions.find((s) => s.id === sid)?.cursor;
        ms = (await store.load(sid)).sort(byTime);
      } catch (e) {
        await fallback(e);
      }
      if (closed) return store.close();
      void touch();
      channel = openTabChannel(
        o.BroadcastChannel === undefined ? g.BroadcastChannel : o.BroadcastChannel,
        `chatkeep:${sid}`,
        onTab,
      );
      events?.addEventListener?.('online', onOnline);
      emit();
      void sync();
    })();

    this.sync = sync;

    this.send = async (content) => {
      await this.ready;
      if (closed) throw new ChatError('closed', 'closed');
      if (!content.trim()) throw new ChatError('empty_content', 'empty');
      const last = ms[ms.length - 1];
      const m: ChatMessage = {
        id: (o.makeMessageId ?? (() => uuidv7(now())))(),
        sessionId: sid,
        role: 'user',
        content,
        // Never before the last record: a client clock behind the server's would otherwise show the turn too early.
        timestamp: new Date(Math.max(now(), last ? Date.parse(last.timestamp) + 1 : 0)).toISOString(),
        status: 'pending',
      };
      write([m], [], false);
      await save((s) => s.enqueue(m));
      return (await post(m)) ?? find(m.id) ?? m;
    };

    this.stop = async () => {
      await this.ready;
      halt();
      for (const m of ms.filter((x) => x.status === 'streaming')) {
        write([{ ...m, status: 'aborted' }]);
        try {
          write([
            (
              await fetchJSON<StopResponseBody>(f, `${endpoint}/chat/stop`, {
                sessionId: sid,
                messageId: m.id,
                content: m.content,
              })
            ).message,
          ]);
        } catch (e) {
          fail(e);
        }
      }
    };

    this.clear = async () => {
      await this.ready;
      // A long conversation is deleted in parts, each within the Worker's per-request limits.
      while ((await fetchJSON<DeleteResponseBody>(f, `${endpoint}/history?sessionId=${sid}`, 0, { method: 'DELETE' })).more);
      halt();
      ms = [];
      cursor = undefined;
      emit();
      channel.post({ clear: true });
      await save((s) => s.drop(sid));
      void touch();
    };

    this.close = () => {
      if (closed) return;
      closed = true;
      halt();
      timers.forEach((h) => st.clearTimeout(h));
      events?.removeEventListener?.('online', onOnline);
      channel?.close();
      listeners.clear();
      void this.ready.then(() => store.close());
    };
  }
}
