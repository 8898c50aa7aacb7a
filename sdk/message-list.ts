import { sameMessage } from './merge';
import { byTime } from './order';
import type { ChatMessage } from './protocol';

/** The newest records kept apart from the rest: a change near the end copies at most twice as many. */
const RECENT = 50;

/**
 * The conversation in memory, in history order. An array once handed out never changes (a snapshot never changes
 * under its reader). The newest records, where turns land and replies grow, are held apart from the older ones, so
 * a streamed chunk or a new turn copies only those: the whole array is built only when read.
 */
export interface MessageList {
  /** The current array; a new one after every change. */
  readonly all: readonly ChatMessage[];
  /** The records by id. */
  readonly map: ReadonlyMap<string, ChatMessage>;
  get(id: string): ChatMessage | undefined;
  /** The newest record, without building the array. */
  last(): ChatMessage | undefined;
  /**
   * The list as it is now, for later: the array is built on the first call, and only then. The same function until
   * the list changes.
   */
  view(): () => readonly ChatMessage[];
  /**
   * Shows `records` in place of those with their ids and drops `drops`; resolves whether anything changed (a
   * record equal to the one shown changes nothing).
   */
  apply(records: readonly ChatMessage[], drops?: readonly string[]): boolean;
  /** Replaces everything (a load, a clear). */
  reset(records: readonly ChatMessage[]): void;
}

export function createMessageList(): MessageList {
  /** The older records, in order: an array never changed (views share it), replaced whole when a change reaches it. */
  let older: ChatMessage[] = [];
  /** The newest records, in order, after `older`: a new array after every change. */
  let newest: ChatMessage[] = [];
  let byId = new Map<string, ChatMessage>();
  let currentView: (() => ChatMessage[]) | undefined;
  /** Keeps the last RECENT records of `records` apart once they are over twice as many: a copy of the whole now and then. */
  const hold = (before: ChatMessage[], records: ChatMessage[]) => {
    const folds = records.length > 2 * RECENT;
    older = folds ? before.concat(records.slice(0, -RECENT)) : before;
    newest = folds ? records.slice(-RECENT) : records;
  };
  const list: MessageList = {
    get all() {
      return list.view()();
    },
    get map() {
      return byId;
    },
    get: (id) => byId.get(id),
    last: () => newest[newest.length - 1] ?? older[older.length - 1],
    view() {
      const before = older;
      const after = newest;
      let built: ChatMessage[] | undefined;
      return (currentView ??= () => (built ??= before.concat(after)));
    },
    apply(records, drops = []) {
      const dropped = drops.filter((id) => byId.delete(id));
      const changed = records.filter((record) => {
        const shown = byId.get(record.id);
        return !shown || !sameMessage(shown, record);
      });
      if (!dropped.length && !changed.length) return false;
      currentView = undefined;
      const lastOlder = older[older.length - 1];
      // A drop, or a record among or before the older ones (history filling a gap), takes the whole list: rare.
      const reachesBack =
        dropped.length > 0 ||
        changed.some((record) => {
          const shown = byId.get(record.id);
          return (shown && !newest.includes(shown)) || (lastOlder && byTime(lastOlder, record) > 0);
        });
      const next = reachesBack ? older.concat(newest).filter((m) => byId.has(m.id)) : newest.slice();
      for (const record of changed) {
        const shown = byId.get(record.id);
        byId.set(record.id, record);
        // Taken out and put back in its place, found from the end where new turns land (and a record moves only
        // there: a user turn taking the server's clock), so a long conversation is never sorted whole.
        if (shown) next.splice(next.lastIndexOf(shown), 1);
        let place = next.length;
        while (place > 0 && byTime(next[place - 1]!, record) > 0) place--;
        next.splice(place, 0, record);
      }
      hold(reachesBack ? [] : older, next);
      return true;
    },
    reset(records) {
      currentView = undefined;
      byId = new Map(records.map((m) => [m.id, m]));
      hold([], [...byId.values()].sort(byTime));
    },
  };
  return list;
}
