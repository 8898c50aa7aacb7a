import type { ChatMessage } from '../protocol';
import type { ChatStorage, SessionRecord } from './chat-storage';
import type { ConversationRow, ListOpRow } from './list-rows';

/** An outbox entry: the turn itself lives in `messages`. */
export interface OutboxEntry {
  id: string;
  sessionId: string;
}

/** What each table holds: messages keyed by `[sessionId, id]`, the others by `id`. */
export interface TableRows {
  messages: ChatMessage;
  outbox: OutboxEntry;
  sessions: SessionRecord;
  /** Kept by `ConversationList` (database version 2). */
  conversations: ConversationRow;
  listOps: ListOpRow;
}
export type TableName = keyof TableRows;

/**
 * One write: a row to put; with `1`, the key of a row to delete; with `'session'`, a session id whose rows of that
 * table are all deleted.
 */
export type TableOp = [table: TableName, rowOrKey: unknown, removal?: 1 | 'session'];

/**
 * The little a storage engine must do; {@link tableStorage} builds the whole {@link ChatStorage} on it, so both
 * engines share one set of rules.
 */
export interface Tables {
  /** A table's rows; for `messages`, those of `sessionId` (an engine may return more, they are filtered). */
  all<T extends TableName>(table: T, sessionId?: string): Promise<TableRows[T][]>;
  /** Applies the writes in one transaction: all or none. */
  write(ops: TableOp[]): Promise<unknown>;
  close(): void;
}

/** A {@link ChatStorage} on any {@link Tables}. */
export function tableStorage(t: Tables): ChatStorage {
  const of = async <T extends 'messages' | 'outbox'>(table: T, sid: string) =>
    (await t.all(table, sid)).filter((row) => row.sessionId === sid) as TableRows[T][];
  const removals = (sid: string, ids: readonly string[]): TableOp[] => ids.map((id) => ['messages', [sid, id], 1]);
  return {
    load: (sid) => of('messages', sid),
    put: (sid, list, drops = []) => t.write([...list.map((m): TableOp => ['messages', m]), ...removals(sid, drops)]),
    enqueue: (m) => t.write([['messages', m], ['outbox', { id: m.id, sessionId: m.sessionId }]]),
    dequeue: (id) => t.write([['outbox', id, 1]]),
    outbox: async (sid) => (await of('outbox', sid)).map((e) => e.id),
    sessions: () => t.all('sessions'),
    saveSession: (s) => t.write([['sessions', s]]),
    drop: (sid) =>
      t.write([
        ['messages', sid, 'session'],
        ['outbox', sid, 'session'],
        ['sessions', sid, 1],
      ]),
    close: t.close,
  };
}
