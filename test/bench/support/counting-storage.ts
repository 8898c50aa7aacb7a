import type { ChatStorage } from '../../../sdk/index';

/** What a {@link countingStorage} has seen. */
export interface StorageCounts {
  /** Write transactions on messages or the outbox (put, enqueue, dequeue, drop). */
  transactions: number;
  /** Message records written or deleted by those transactions. */
  records: number;
  /** Session-record writes (last use, history cursor): one small record each. */
  sessionWrites: number;
}

export interface CountingStorage {
  storage: ChatStorage;
  counts: StorageCounts;
  reset(): void;
}

/**
 * Wraps a client's storage, counting the writes that reach it (each method of ChatStorage that writes is one
 * IndexedDB transaction in idbStorage).
 *
 * @example
 * ```ts
 * const counted = countingStorage(idbStorage(new IDBFactory()));
 * new ChatClient({ storage: counted.storage });
 * ```
 */
export function countingStorage(inner: ChatStorage): CountingStorage {
  const counts: StorageCounts = { transactions: 0, records: 0, sessionWrites: 0 };
  const storage: ChatStorage = {
    load: (sessionId) => inner.load(sessionId),
    put(sessionId, messages, drops) {
      counts.transactions++;
      counts.records += messages.length + (drops?.length ?? 0);
      return inner.put(sessionId, messages, drops);
    },
    enqueue(message) {
      counts.transactions++;
      counts.records++;
      return inner.enqueue(message);
    },
    dequeue(id) {
      counts.transactions++;
      return inner.dequeue(id);
    },
    outbox: (sessionId) => inner.outbox(sessionId),
    sessions: () => inner.sessions(),
    saveSession(session) {
      counts.sessionWrites++;
      return inner.saveSession(session);
    },
    drop(sessionId) {
      counts.transactions++;
      return inner.drop(sessionId);
    },
    close: () => inner.close(),
  };
  return {
    storage,
    counts,
    reset() {
      counts.transactions = counts.records = counts.sessionWrites = 0;
    },
  };
}

/** Waits until the counts stop changing (writes the client fires without awaiting), for at most `maxMs`. */
export async function quiescent(counts: StorageCounts, maxMs = 2_000): Promise<void> {
  const snapshot = () => `${counts.transactions}/${counts.records}/${counts.sessionWrites}`;
  const deadline = Date.now() + maxMs;
  let last = snapshot();
  let still = 0;
  while (still < 3 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = snapshot();
    still = now === last ? still + 1 : 0;
    last = now;
  }
}
