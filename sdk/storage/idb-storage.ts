import type { ChatStorage } from './chat-storage';
import { tableStorage } from './tables';

/**
 * A request's result, or a transaction's completion, as a promise. A transaction reports failure on `abort`, where
 * its `error` (a QuotaExceededError, say) is set; on `error` it may not be yet.
 */
const settle = <T>(r: IDBRequest<T> | IDBTransaction) =>
  new Promise<T>((resolve, reject) => {
    if ('oncomplete' in r) {
      r.oncomplete = () => resolve(undefined as T);
      r.onabort = () => reject(r.error ?? new DOMException('aborted', 'AbortError'));
    } else {
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    }
  });

/** Bump with a new `if (oldVersion < N)` step below; never edit an old step. */
const VERSION = 1;

/**
 * Storage in IndexedDB, opened lazily through `factory` (pass fake-indexeddb's in tests). A tab holding an old
 * version closes on `versionchange` instead of blocking the upgrade; a connection lost underneath
 * (`InvalidStateError`, a deleted database) is reopened once before an error is reported. It uses the raw API: a
 * promise wrapper library would take a fifth of the SDK's 6 KiB budget for the few calls made here.
 *
 * @param factory - the IndexedDB factory, `indexedDB` in a browser
 * @param name - the database name; defaults to `'chatkeep'`
 * @example
 * ```ts
 * new ChatClient({ endpoint: '/api', storage: idbStorage(indexedDB, 'my-app-chats') });
 * ```
 */
export function idbStorage(factory: IDBFactory, name = 'chatkeep'): ChatStorage {
  let db: Promise<IDBDatabase> | undefined;
  const open = (): Promise<IDBDatabase> =>
    (db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const req = factory.open(name, VERSION);
      req.onupgradeneeded = (e) => {
        const d = req.result;
        if (e.oldVersion < 1) {
          d.createObjectStore('messages', { keyPath: ['sessionId', 'id'] }).createIndex('sessionId', 'sessionId');
          d.createObjectStore('outbox', { keyPath: 'id' });
          d.createObjectStore('sessions', { keyPath: 'id' });
        }
      };
      req.onsuccess = () => {
        const d = req.result;
        d.onversionchange = d.onclose = () => {
          d.close();
          db = undefined;
        };
        resolve(d);
      };
      // Blocked by a tab that will not close: better memory now than a page that never loads. The request is still
      // pending then, and reading a pending request's `error` throws InvalidStateError.
      req.onblocked = () => reject(new DOMException('blocked', 'AbortError'));
      req.onerror = () => reject(req.error);
    }).catch((e: unknown) => {
      db = undefined;
      throw e;
    }));
  const run = async <T>(op: (d: IDBDatabase) => Promise<T>, retry = true): Promise<T> => {
    try {
      return await op(await open());
    } catch (e) {
      if (!retry || (e as Error).name !== 'InvalidStateError') throw e;
      db = undefined;
      return run(op, false);
    }
  };
  return tableStorage({
    all: (table, sid) =>
      run((d) => {
        const store = d.transaction(table).objectStore(table);
        return settle(sid && table === 'messages' ? store.index('sessionId').getAll(sid) : store.getAll()) as never;
      }),
    write: (ops) =>
      run((d) => {
        const tx = d.transaction(['messages', 'outbox', 'sessions'], 'readwrite');
        for (const [table, row, remove] of ops) tx.objectStore(table)[remove ? 'delete' : 'put'](row as never);
        return settle(tx);
      }),
    close() {
      void db?.then((d) => d.close(), () => {});
      db = undefined;
    },
  });
}
