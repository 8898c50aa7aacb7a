import type { ConversationRow, ListOpRow } from '../storage/list-rows';
import type { TableOp, Tables } from '../storage/tables';
import { listTables } from './list-tables';

/** What the conversation list keeps: its rows in IndexedDB, or in memory where there is none. */
export interface ListStore {
  rows(): Promise<ConversationRow[]>;
  ops(): Promise<ListOpRow[]>;
  /** Puts rows and ops and deletes keys, in one transaction. */
  write(change: { rows?: ConversationRow[]; ops?: ListOpRow[]; dropRows?: string[]; dropOps?: string[] }): Promise<void>;
  close(): void;
}

function memoryTables(): Pick<Tables, 'all' | 'write'> {
  const tables = new Map<string, Map<string, unknown>>();
  const of = (name: string) => tables.get(name) ?? tables.set(name, new Map()).get(name)!;
  return {
    all: async (table) => [...of(table).values()].map((row) => structuredClone(row)) as never,
    async write(ops) {
      for (const [table, row, removal] of ops) {
        if (removal) of(table).delete(String(row));
        else of(table).set((row as { id: string }).id, structuredClone(row));
      }
    },
  };
}

/** The list's store on the chatkeep database (version 2), or in memory with `factory` null. */
export function listStore(factory: IDBFactory | null, name?: string): ListStore {
  const tables: Pick<Tables, 'all' | 'write'> & { close?: () => void } = factory ? listTables(factory, name) : memoryTables();
  return {
    rows: () => tables.all('conversations'),
    ops: () => tables.all('listOps'),
    async write({ rows = [], ops = [], dropRows = [], dropOps = [] }) {
      const change: TableOp[] = [
        ...rows.map((row): TableOp => ['conversations', row]),
        ...ops.map((op): TableOp => ['listOps', op]),
        ...dropRows.map((id): TableOp => ['conversations', id, 1]),
        ...dropOps.map((id): TableOp => ['listOps', id, 1]),
      ];
      if (change.length) await tables.write(change);
    },
    close: () => tables.close?.(),
  };
}
