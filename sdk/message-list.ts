import { sameMessage } from './merge';
import { byTime } from './order';
import type { ChatMessage } from './protocol';

/**
 * The conversation in memory, in history order. An array once handed out never changes (a snapshot never changes
 * under its reader). A record replaced in its place with the same time (a streaming reply growing) is held aside
 * over the last array, so a streamed chunk costs no copy of the list: the array with it is built only when read. A
 * record new or moved in time is put in its place by a search from the end.
 */
export interface MessageList {
  /** The current array; a new one after every change. */
  readonly all: readonly ChatMessage[];
  /** The records by id. */
  readonly map: ReadonlyMap<string, ChatMessage>;
  get(id: string): ChatMessage | undefined;
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

/** A record replacing the one at `index` of an array, without copying the array yet. */
type Replacement = [index: number, record: ChatMessage];

const withReplacement = (base: ChatMessage[], replacement?: Replacement): ChatMessage[] => {
  if (!replacement) return base;
  const copy = base.slice();
  copy[replacement[0]] = replacement[1];
  return copy;
};

export function createMessageList(): MessageList {
  let ordered: ChatMessage[] = [];
  /** The streaming reply's newest record, over `ordered`. */
  let growing: Replacement | undefined;
  let byId = new Map<string, ChatMessage>();
  let currentView: (() => ChatMessage[]) | undefined;
  const list: MessageList = {
    get all() {
      ordered = withReplacement(ordered, growing);
      growing = undefined;
      return ordered;
    },
    get map() {
      return byId;
    },
    get: (id) => byId.get(id),
    view() {
      const base = ordered;
      const replacement = growing;
      let built: ChatMessage[] | undefined;
      return (currentView ??= () => (built ??= withReplacement(base, replacement)));
    },
    apply(records, drops = []) {
      const dropped = drops.filter((id) => byId.delete(id));
      const changed = records.filter((record) => {
        const shown = byId.get(record.id);
        return !shown || !sameMessage(shown, record);
      });
      if (!dropped.length && !changed.length) return false;
      currentView = undefined;
      const [first] = changed;
      const replaced = first && byId.get(first.id);
      if (first && !dropped.length && changed.length === 1 && replaced?.timestamp === first.timestamp) {
        // The same record again, in the same place: held aside until the array is read.
        growing = [growing?.[1] === replaced ? growing[0] : list.all.lastIndexOf(replaced), first];
        byId.set(first.id, first);
        return true;
      }
      const current = list.all;
      const next = dropped.length ? current.filter((m) => byId.has(m.id)) : current.slice();
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
      ordered = next;
      return true;
    },
    reset(records) {
      currentView = undefined;
      growing = undefined;
      byId = new Map(records.map((m) => [m.id, m]));
      ordered = [...byId.values()].sort(byTime);
    },
  };
  return list;
}
