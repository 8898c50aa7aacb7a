import { ChatError } from './errors';
import type { ChatMessage } from './protocol';
import { evictOldest, type ChatStorage } from './storage/chat-storage';
import { tableStorage } from './storage/tables';

/**
 * A streaming reply's row in the cache: the record plus the id of the last reply event its text includes, so a
 * reload resumes the stream right after it. The field never leaves the cache.
 */
export interface CachedReply extends ChatMessage {
  lastEventId?: string;
}


/**
 * What a client keeps without IndexedDB: nothing. The records it shows are then the only copy, and its outbox is
 * the turns shown `pending` (an outbox round finds them queued nowhere and sends each one), so a second copy in
 * memory would be written and never read.
 */
export const keepNothing = (): ChatStorage => tableStorage({ all: async () => [], write: async () => undefined, close() {} });

export interface PersistenceOptions {
  storage: ChatStorage;
  /** The conversation being kept: never evicted to make room. */
  sessionId: () => string;
  /** Told once, when IndexedDB proved unusable. */
  onFallback: (error: ChatError) => void;
}

/** Cache writes: quota eviction, one retry on a fresh connection, then the fallback to memory. */
export interface Persistence {
  readonly storage: ChatStorage;
  readonly kind: 'indexeddb' | 'memory';
  /**
   * Runs a storage change. The state shown is already updated, so a failed write loses nothing on screen; this
   * never rejects.
   */
  save(change: (storage: ChatStorage) => Promise<unknown>): Promise<void>;
  /** Moves to memory at once (IndexedDB missing, or unusable on load). */
  fallBack(cause: unknown): void;
}

/** Eviction rounds one write may take before the quota is taken as final. */
const MAX_EVICTIONS = 3;

export function createPersistence(options: PersistenceOptions): Persistence {
  let storage = options.storage;
  let kind: Persistence['kind'] = 'indexeddb';
  const fallBack = (cause: unknown) => {
    if (kind === 'memory') return;
    kind = 'memory';
    storage.close();
    storage = keepNothing();
    options.onFallback(new ChatError('storage_unavailable', String(cause)));
  };
  const save = async (change: (storage: ChatStorage) => Promise<unknown>): Promise<void> => {
    let evictions = 0;
    let retried = false;
    for (;;) {
      try {
        return void (await change(storage));
      } catch (error) {
        if (kind === 'memory') return;
        const name = (error as Error | null)?.name;
        if (name === 'QuotaExceededError') {
          if (evictions++ < MAX_EVICTIONS && (await evictOldest(storage, options.sessionId()).catch(() => false))) continue;
        } else if (!retried) {
          // One failure (an AbortError, a connection closed underneath) is not IndexedDB failing: a fresh
          // connection gets one more try before the page moves to memory for good.
          retried = true;
          storage.close();
          continue;
        }
        fallBack(error);
      }
    }
  };
  return {
    get storage() {
      return storage;
    },
    get kind() {
      return kind;
    },
    save,
    fallBack,
  };
}
