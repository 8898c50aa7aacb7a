import type { ChatStorage } from './chat-storage';
import { tableStorage, type TableName } from './tables';

/**
 * Storage in plain maps, with IndexedDB's rules: for tests, and for an app that wants a client's storage to outlive
 * the client within one page (several clients given the same one). Rows are copied in and out, as IndexedDB does,
 * so no caller can change a stored record by mutating an object. A client without IndexedDB needs none of this: it
 * keeps no second copy of what it shows.
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
      // Copied first: a row that cannot be cloned fails the whole change before any of it is applied.
      const copies = ops.map(([, row, removal]) => (removal ? row : structuredClone(row)));
      ops.forEach(([table, row, removal], i) => {
        const rows = tables[table];
        if (removal === 'session') {
          for (const [k, value] of rows) if ((value as { sessionId?: string }).sessionId === row) rows.delete(k);
        } else if (removal) rows.delete(String(row));
        else rows.set(key(table, row as never), copies[i]);
      });
    },
    close() {},
  });
}
