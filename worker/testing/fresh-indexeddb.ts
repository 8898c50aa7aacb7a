import { IDBFactory } from 'fake-indexeddb';

/** fake-indexeddb's factory: the DOM's `IDBFactory`, as an app's tests (with the DOM types) see it. */
export type FakeIDBFactory = InstanceType<typeof IDBFactory>;

/**
 * A new, empty IndexedDB (fake-indexeddb) that only the clients given it share: one per test keeps tests apart,
 * and a second client on the same one is a page reloaded. Nothing global is replaced.
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
  return new IDBFactory();
}
