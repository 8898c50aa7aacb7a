import type { ChatClientOptions, ChatSnapshot, Timers } from '../chat-client-options';
import type { ChatError } from '../errors';
import type { HistoryRead } from '../history';
import type { Fetch } from '../http';
import { makeSessionId } from '../ids';
import { createMessageList, type MessageList } from '../message-list';
import { createPersistence, keepNothing, type Persistence } from '../persistence';
import { DEFAULT_BASE_PATH, type ChatMessage } from '../protocol';
import type { ReplyState } from '../reply-stream';
import { createScheduler, type Scheduler } from '../scheduler';
import { idbStorage } from '../storage/idb-storage';
import type { TabChannel } from '../tabs';

/** One reply this page is reading: a turn it sends, or a reply it follows. */
export interface ReplyReading {
  controller: AbortController;
  /** The user turn the reply answers. */
  userId: string;
  /** The reply followed (known before its stream says so). */
  replyId?: string;
  /** The reply as folded so far. */
  state: ReplyState;
  /** Ended on purpose (stop, clear, close: `halt` marks every reading): not followed, not retried. */
  stopped?: boolean;
  /** When the reply was last checkpointed to the cache, in ms. */
  savedAt?: number;
  /** `stop()` came before the Worker acknowledged the turn: the reply is stopped once `start` names it. */
  stopWhenStarted?: boolean;
  /** When other tabs were last told the reply, in ms. */
  toldAt?: number;
}

/** Settles a `send()` waiting for its reply: it resolves with a message, rejects with an error. */
export type Waiter = (outcome: ChatMessage | ChatError) => void;

/**
 * What the parts of one `ChatClient` share: its options resolved, the conversation shown, and where the client
 * stands (reachable, reading replies, closed). Every part reads and writes this one object, so the state of a
 * client is in one place.
 */
export interface ChatContext {
  readonly endpoint: string;
  readonly fetcher: Fetch;
  readonly now: () => number;
  readonly timers: Timers;
  readonly scheduler: Scheduler;
  /** The options as given: those read in one place are resolved there. */
  readonly options: ChatClientOptions;
  readonly persistence: Persistence;
  readonly messages: MessageList;
  /** The last event id each cached streaming reply's text includes: where a resume starts. */
  readonly resumePoints: Map<string, string>;
  readonly readings: Set<ReplyReading>;
  /** The `send()` of each turn still waiting for its reply (turn ids are unique: one each). */
  readonly waiters: Map<string, Waiter>;
  readonly listeners: Set<() => void>;
  /** The cache loaded (from IndexedDB only). */
  ready: Promise<void>;
  sessionId: string;
  /** History's cursor: the next read asks only for what changed since. */
  cursor?: string;
  offline: boolean;
  closed: boolean;
  /** The last failure of a background request, cleared by the next success. */
  error?: ChatError;
  retryAttempt: number;
  retryTimer?: unknown;
  channel?: TabChannel;
  /** The history read under way: one at a time. */
  syncing?: Promise<HistoryRead | undefined>;
  snapshot?: ChatSnapshot;
  /** The messages the snapshot shows, as the list's view of them. */
  shownMessages?: () => readonly ChatMessage[];
}

/** The context of a new client: its options resolved against the page's globals. */
export function createChatContext(options: ChatClientOptions, onFallback: (error: ChatError) => void): ChatContext {
  const globals = globalThis as Partial<typeof globalThis>;
  // Called as methods of `globalThis`: a detached `setTimeout` throws "Illegal invocation" in browsers.
  const timers = options.timers ?? (globals as Timers);
  const factory = options.indexedDB === undefined ? globals.indexedDB : options.indexedDB;
  const context: ChatContext = {
    endpoint: (options.endpoint ?? DEFAULT_BASE_PATH).replace(/\/$/, ''),
    fetcher: options.fetch ?? ((url, init) => fetch(url, init)),
    now: options.now ?? Date.now,
    timers,
    scheduler: createScheduler(timers),
    options,
    persistence: createPersistence({
      storage: options.storage ?? (factory ? idbStorage(factory) : keepNothing()),
      sessionId: () => context.sessionId,
      onFallback,
    }),
    messages: createMessageList(),
    resumePoints: new Map(),
    readings: new Set(),
    waiters: new Map(),
    listeners: new Set(),
    ready: Promise.resolve(),
    sessionId: options.sessionId ?? (options.makeSessionId ?? makeSessionId)(),
    offline: false,
    closed: false,
    retryAttempt: 0,
  };
  return context;
}

/** Whether this page reads a reply to the turn `userId` (sends it, or follows its reply): a reply is known by its turn. */
export const isReadHere = (chat: ChatContext, userId: string | undefined): boolean =>
  [...chat.readings].some((reading) => reading.userId === userId);

/** Ends a reading on purpose: it is not followed again or retried. */
export function stopReading(reading: ReplyReading): void {
  reading.stopped = true;
  reading.controller.abort();
}

/** Ends every reading on purpose. */
export function halt(chat: ChatContext): void {
  chat.readings.forEach(stopReading);
}
