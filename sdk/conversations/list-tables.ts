import { idbTables } from '../storage/idb-storage';
import type { Tables } from '../storage/tables';

/** The database version that adds the conversation list's tables; a chat-only page keeps whatever version it finds. */
export const LIST_DB_VERSION = 2;

/** Version 2: the cached summaries and the renames and removals waiting to be sent. Never edit a step once shipped. */
function upgradeForList(db: IDBDatabase, oldVersion: number): void {
  if (oldVersion < 2) {
    db.createObjectStore('conversations', { keyPath: 'id' });
    db.createObjectStore('listOps', { keyPath: 'id' });
  }
}

/** The chatkeep database opened at the list's version: the chat tables as they were, plus the list's. */
export const listTables = (factory: IDBFactory, name = 'chatkeep'): Tables =>
  idbTables(factory, name, LIST_DB_VERSION, upgradeForList);
