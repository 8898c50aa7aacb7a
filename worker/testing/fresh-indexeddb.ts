import * as fakeIndexedDB from 'fake-indexeddb';

const { IDBFactory } = fakeIndexedDB;

/** fake-indexeddb's factory: the DOM's `IDBFactory`, as an app's tests (with the DOM types) see it. */
export type FakeIDBFactory = InstanceType<typeof IDBFactory>;

/**
 * IndexedDB's interface classes, as a browser has them. `idb` (ChatClient's storage layer) recognises requests,
 * transactions and cursors with `instanceof IDBRequest` and the like, so node needs the classes to exist; only the
 * missing ones are defined, and the `indexedDB` factory itself is never set.
 */
const INTERFACE_NAMES = [
  'IDBCursor',
  'IDBCursorWithValue',
  'IDBDatabase',
  'IDBFactory',
  'IDBIndex',
  'IDBKeyRange',
  'IDBObjectStore',
  'IDBOpenDBRequest',
  'IDBRequest',
  'IDBTransaction',
  'IDBVersionChangeEvent',
] as const;

function defineMissingInterfaces(): void {
  for (const name of INTERFACE_NAMES) {
    if (name in globalThis) continue;
    const value = fakeIndexedDB[name];
    Object.defineProperty(globalThis, name, { value, configurable: true, writable: true, enumerable: false });
  }
}

/**
 * A new, empty IndexedDB (fake-indexeddb) that only the clients given it share: one per test keeps tests apart,
 * and a second client on the same one is a page reloaded. The global `indexedDB` is never replaced; IndexedDB's
 * interface classes (`IDBRequest`, `IDBTransaction`, …) are defined where node lacks them, as a browser has them.
 *
 * @example
 * ```ts
 * const indexedDB = freshIndexedDB();
 * const first = new ChatClient({ fetch: server.fetch, indexedDB, sessionId });
 * first.close();
 * const reloaded = new ChatClient({ fetch: server.fetch, indexedDB, sessionId });
 * ```
 */
export function freshIndexedDB(): FakeIDBFactory {
  defineMissingInterfaces();
  return new IDBFactory();
}
