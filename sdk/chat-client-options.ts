import type { ChatError } from './errors';
import type { Fetch } from './http';
import type { ChatMessage } from './protocol';
import type { ChatStorage } from './storage/chat-storage';
import type { Locks } from './tabs';

/** `'offline'`: the last request could not reach the Worker, or the browser says it is offline. */
export type ChatStatus = 'idle' | 'syncing' | 'streaming' | 'offline';

/** One immutable view of the client; the same object until something changes (fits `useSyncExternalStore`). */
export interface ChatSnapshot {
  /**
   * The conversation in history order (by `timestamp`, then `id`); a new array after every change, built when first
   * read (the same array on every later read of this snapshot).
   */
  readonly messages: readonly ChatMessage[];
  /** `'streaming'` while a reply is read here, sent by this page or followed. */
  readonly status: ChatStatus;
  /** The conversation's id. */
  readonly sessionId: string;
  /** `'memory'` once IndexedDB proved unusable: the conversation then lives only as long as the page. */
  readonly storage: 'indexeddb' | 'memory';
  /** The last failure of a background request (history, outbox, stop), cleared by the next success. */
  readonly error?: ChatError;
}

/** Reported through {@link ChatClientOptions.onStorage} when the client falls back to memory. */
export interface StorageFallbackEvent {
  type: 'storage';
  storage: 'memory';
  /** Code `storage_unavailable`; the message names the underlying failure. */
  error: ChatError;
}

/** The timer functions the client schedules retries, polls and stall checks with. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Where the page's `online` and `pagehide` events are heard: `window` in a page. On `online` the outbox is sent;
 * on `pagehide` the text shown of a streaming reply is written to the cache, so a reload never shows less.
 */
export interface OnlineEvents {
  addEventListener(type: 'online' | 'pagehide', listener: () => void): void;
  removeEventListener(type: 'online' | 'pagehide', listener: () => void): void;
}

/** A backoff range. */
export interface BackoffRange {
  /** First wait, in ms. */
  baseMs: number;
  /** Longest wait, in ms. */
  capMs: number;
}

/**
 * Options of {@link ChatClient}. Everything the client touches in its environment can be passed in, so tests run
 * without patching globals.
 *
 * @example
 * ```ts
 * new ChatClient({ endpoint: 'https://chat.example.com/api', sessionId, stallTimeoutMs: 20_000 });
 * ```
 */
export interface ChatClientOptions {
  /**
   * The Worker's base URL (its base path).
   * @defaultValue `'/api'`
   */
  endpoint?: string;
  /**
   * The conversation to open. Whoever knows it may read and write the conversation.
   * @defaultValue the conversation used last in this storage, else a new id of 128 random bits
   */
  sessionId?: string;
  /**
   * Makes every HTTP request.
   * @defaultValue the global `fetch`
   */
  fetch?: Fetch;
  /**
   * The IndexedDB factory; `null` keeps the conversation in memory. A factory given where IndexedDB's interface
   * globals do not exist (fake-indexeddb's `new IDBFactory()` in node, without `fake-indexeddb/auto`) works as well:
   * the missing ones (`IDBRequest`, `IDBDatabase`, `IDBTransaction`, `IDBObjectStore`, `IDBIndex`, and an empty
   * `IDBCursor`) are defined from the factory's own objects on first open; globals that exist are never replaced.
   * @defaultValue the global `indexedDB`
   */
  indexedDB?: IDBFactory | null;
  /**
   * A storage to use instead of IndexedDB (it takes precedence over `indexedDB`).
   * @defaultValue `idbStorage(indexedDB)` (database `'chatkeep'`)
   */
  storage?: ChatStorage;
  /**
   * Tells other tabs on the conversation what changed; `null` for none.
   * @defaultValue the global `BroadcastChannel`
   */
  BroadcastChannel?: typeof BroadcastChannel | null;
  /**
   * Web Locks, so only one tab sends the outbox; without them (or with `null`) the lock is held per page.
   * @defaultValue `navigator.locks`
   */
  locks?: Locks | null;
  /**
   * Where the `online` event is heard; `null` for nowhere.
   * @defaultValue `globalThis` (a page's `window`)
   */
  onlineEvents?: OnlineEvents | null;
  /**
   * The clock, in ms since the epoch.
   * @defaultValue `Date.now`
   */
  now?: () => number;
  /**
   * Makes user-turn ids.
   * @defaultValue `() => uuidv7(now())`
   */
  makeMessageId?: () => string;
  /**
   * Makes a session id when none is given or remembered.
   * @defaultValue `makeSessionId` (128 random bits)
   */
  makeSessionId?: () => string;
  /**
   * Timer functions.
   * @defaultValue the global `setTimeout` and `clearTimeout`
   */
  timers?: Timers;
  /**
   * A reply stream silent this long (no event, not even `: ping`) is reported (`stalled`), dropped, and the reply
   * followed again.
   * @defaultValue `30_000`
   */
  stallTimeoutMs?: number;
  /**
   * A streaming reply is written to IndexedDB at most once per this interval (and once at its end).
   * @defaultValue `CHECKPOINT_INTERVAL_MS` (1,000)
   */
  checkpointIntervalMs?: number;
  /**
   * History polls for a reply the Worker cannot resume live (`409 resume_unavailable`, or a Worker without
   * `GET /chat/stream`): doubling from `baseMs` to `capMs`.
   * @defaultValue `{ baseMs: 500, capMs: 10_000 }`
   */
  historyPollBackoff?: BackoffRange;
  /**
   * Called when IndexedDB proves unusable and the client falls back to memory. The fall back also logs a console
   * warning naming its cause (unless `indexedDB` is `null`, which asks for memory).
   * @defaultValue none; `getSnapshot().storage` says `'memory'` either way
   */
  onStorage?: (event: StorageFallbackEvent) => void;
}
