import type { ChatStorage } from './chat-storage';
import { tableStorage, type TableName } from './tables';

/**
 * Storage in plain maps: what a client falls back to without IndexedDB (private mode, blocked, broken). Rows are
 * copied in and out, as IndexedDB does, so no caller can change a stored record by mutating an object.
 *
 * @example
 * ```ts
 * new ChatClient({ endpoint: '/api', storage: memoryStorage() });
 * ```
 */
export function memoryStorage(): ChatStorage {
  const tables = { messages: new Map(), outbox: new Map(), sessions: new Map() } as Record<TableName, Map<string, unknown>>;
  // Keys as IndexedDB's key paths give them: `[sessionId, id]` for messages, `id` otherwise.
  const key = (table: TableName, row: { id: string; sessionId?: string }) =>
    String(table === 'messages' ? [row.sessionId, row.id] : row.id);
  return tableStorage({
    all: async (table) => [...tables[table].values()].map((row) => structuredClone(row)) as never,
    async write(ops) {
      for (const [table, row, remove] of ops)
        remove ? tables[table].delete(String(row)) : tables[table].set(key(table, row as never), structuredClone(row));
    },
    close() {},
  });
}
