import { wrap, type DBSchema, type IDBPDatabase } from 'idb';
import type { ChatStorage } from './chat-storage';
import { tableStorage, type TableRows, type Tables } from './tables';

/** The database's shape, checked by idb's types on every access. */
export interface ChatDB extends DBSchema {
  messages: { key: [string, string]; value: TableRows['messages']; indexes: { sessionId: string } };
  outbox: { key: string; value: TableRows['outbox'] };
  sessions: { key: string; value: TableRows['sessions'] };
  conversations: { key: string; value: TableRows['conversations'] };
  listOps: { key: string; value: TableRows['listOps'] };
}

/** A request left to its transaction: a failure shows in `tx.done`, which aborts the whole change. */
const queued = (request: Promise<unknown>): void => void request.catch(() => undefined);

// Version 1's step lives in `open` below (never edit it); later versions add theirs through `idbTables`' `upgrade`.
// A chat-only client opens whatever version the database has, so it never carries the later steps.

/**
 * idb tells IndexedDB's objects apart by IndexedDB's interface globals (`IDBRequest`, `IDBDatabase`…). Where a
 * factory is given and they do not exist (fake-indexeddb's in node, without `fake-indexeddb/auto`), each missing one
 * is defined as the class of the factory's own object; a global that exists is never replaced. chatkeep opens no
 * cursor, so a missing `IDBCursor` is a class nothing is an instance of.
 */
function defineMissing(request: IDBOpenDBRequest): void {
  const globals = globalThis as Record<string, unknown>;
  if (globals.IDBDatabase) return;
  const tx = request.result.transaction('messages');
  const store = tx.objectStore('messages');
  const classes: Record<string, unknown> = {
    IDBRequest: Object.getPrototypeOf(request.constructor),
    IDBDatabase: tx.db.constructor,
    IDBTransaction: tx.constructor,
    IDBObjectStore: store.constructor,
    IDBIndex: store.index('sessionId').constructor,
    IDBCursor: class {},
  };
  for (const name in classes) globals[name] ??= classes[name];
}

/**
 * Storage in IndexedDB through `idb`, opened lazily through `factory` (pass fake-indexeddb's in tests). Each
 * logical change is one transaction, aborted as a whole on any error. A tab holding an old version closes on
 * `versionchange` instead of blocking the upgrade; a connection lost underneath (`InvalidStateError`, a deleted
 * database) is reopened once before an error is reported.
 *
 * @param factory - the IndexedDB factory, `indexedDB` in a browser
 * @param name - the database name
 * @defaultValue name: `'chatkeep'`
 * @example
 * ```ts
 * new ChatClient({ endpoint: '/api', storage: idbStorage(indexedDB, 'my-app-chats') });
 * ```
 */
export const idbStorage = (factory: IDBFactory, name = 'chatkeep'): ChatStorage => tableStorage(idbTables(factory, name));

/**
 * The tables of the chatkeep database. Without `version` it opens the version the database has (creating version 1
 * when there is none); with one, `upgrade` runs the steps past version 1.
 */
export function idbTables(
  factory: IDBFactory,
  name: string,
  version?: number,
  upgrade?: (db: IDBDatabase, oldVersion: number) => void,
): Tables {
  let connection: Promise<IDBPDatabase<ChatDB>> | undefined;
  const forget = () => {
    void connection?.then((db) => db.close(), () => undefined);
    connection = undefined;
  };
  const open = (): Promise<IDBPDatabase<ChatDB>> => {
    // idb's `openDB` reads the global factory; `wrap` over the given one keeps the factory injectable.
    const request = factory.open(name, version);
    request.onupgradeneeded = (event) => {
      const raw = request.result;
      if (!event.oldVersion) {
        raw.createObjectStore('messages', { keyPath: ['sessionId', 'id'] }).createIndex('sessionId', 'sessionId');
        raw.createObjectStore('outbox', { keyPath: 'id' });
        raw.createObjectStore('sessions', { keyPath: 'id' });
      }
      upgrade?.(raw, event.oldVersion);
    };
    const opened = new Promise<IDBPDatabase<ChatDB>>((resolve, reject) => {
      // Blocked by a tab that will not close: better memory now than a page that never loads.
      request.onblocked = () => reject(new DOMException('blocked', 'AbortError'));
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        defineMissing(request);
        const db = wrap(request.result) as IDBPDatabase<ChatDB>;
        // `versionchange`: a newer version waits for this tab; `close`: the browser (or a deletion) ended it.
        db.addEventListener('versionchange', forget);
        db.addEventListener('close', () => (connection = undefined));
        resolve(db);
      };
    });
    return (connection = opened.catch((error: unknown) => {
      connection = undefined;
      throw error;
    }));
  };
  /** Runs `job` on the open connection; once more on a fresh one if the connection was lost underneath. */
  const run = async <T>(job: (db: IDBPDatabase<ChatDB>) => Promise<T>, retry = true): Promise<T> => {
    try {
      return await job(await (connection ?? open()));
    } catch (error) {
      if (!retry || (error as Error).name !== 'InvalidStateError') throw error;
      forget();
      return run(job, false);
    }
  };
  return {
    all: (table, sessionId) =>
      run(async (db) =>
        sessionId !== undefined && table === 'messages'
          ? ((await db.getAllFromIndex('messages', 'sessionId', sessionId)) as never)
          : ((await db.getAll(table)) as never),
      ),
    write: (ops) =>
      run(async (db) => {
        // Every table the database has: a write names its tables only through `ops`.
        const tx = db.transaction([...db.objectStoreNames], 'readwrite');
        try {
          for (const [table, key, removal] of ops) {
            const store = tx.objectStore(table);
            if (removal === 'session') {
              // Every row of one conversation, read and deleted inside this transaction.
              const rows = await (table === 'messages' ? store.index('sessionId' as never).getAll(key as never) : store.getAll());
              for (const row of rows as { id: string; sessionId: string }[])
                if (row.sessionId === key) queued(store.delete((table === 'messages' ? [row.sessionId, row.id] : row.id) as never));
            } else queued(removal ? store.delete(key as never) : store.put(key as never));
          }
          await tx.done;
        } catch (error) {
          // A synchronous throw (a `DataError`) or a failed request: nothing of this change may commit.
          try {
            tx.abort();
          } catch {
            // Already aborted by the failed request.
          }
          await tx.done.catch(() => undefined);
          throw error;
        }
      }),
    close: forget,
  };
}
