import { sameMessage } from './merge';
import { byTime } from './order';
import type { ChatMessage } from './protocol';

/**
 * The conversation in memory, in history order. Every change makes a new array (a snapshot never changes under
 * its reader); a record replaced in its place costs a lookup by id and one copy, and a record new or moved in time
 * is put in its place by a search from the end.
 */
export interface MessageList {
  /** The current array; a new one after every change. */
  readonly all: readonly ChatMessage[];
  /** The records by id. */
  readonly map: ReadonlyMap<string, ChatMessage>;
  get(id: string): ChatMessage | undefined;
  /**
   * Shows `records` in place of those with their ids and drops `drops`; resolves whether anything changed (a
   * record equal to the one shown changes nothing).
   */
  apply(records: readonly ChatMessage[], drops?: readonly string[]): boolean;
  /** Replaces everything (a load, a clear). */
  reset(records: readonly ChatMessage[]): void;
}

export function createMessageList(): MessageList {
  let all: ChatMessage[] = [];
  let byId = new Map<string, ChatMessage>();
  const list: MessageList = {
    get all() {
      return all;
    },
    get map() {
      return byId;
    },
    get: (id) => byId.get(id),
    apply(records, drops = []) {
      const dropped = drops.filter((id) => byId.delete(id));
      const changed = records.filter((record) => {
        const shown = byId.get(record.id);
        return !shown || !sameMessage(shown, record);
      });
      if (!dropped.length && !changed.length) return false;
      const next = dropped.length ? all.filter((m) => byId.has(m.id)) : all.slice();
      for (const record of changed) {
        const shown = byId.get(record.id);
        byId.set(record.id, record);
        // A streamed reply is the last record or near it: searched from the end.
        const index = shown ? next.lastIndexOf(shown) : -1;
        if (index >= 0 && shown!.timestamp === record.timestamp) next[index] = record;
        else {
          // New, or moved in time (a user turn taking the server's clock): put in its place, found from the end
          // where new turns land, so a long conversation is never sorted whole.
          if (index >= 0) next.splice(index, 1);
          let place = next.length;
          while (place > 0 && byTime(next[place - 1]!, record) > 0) place--;
          next.splice(place, 0, record);
        }
      }
      all = next;
      return true;
    },
    reset(records) {
      byId = new Map(records.map((m) => [m.id, m]));
      all = [...byId.values()].sort(byTime);
    },
  };
  return list;
}
