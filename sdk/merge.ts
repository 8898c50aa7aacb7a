import { isFinalStatus, KV_CONSISTENCY_WINDOW_MS, type ChatMessage } from './protocol';
import { byTime } from './order';

/** What the server said: records (all, or those changed since a cursor) and every id it holds now. */
export interface ServerState {
  messages: readonly ChatMessage[];
  ids: readonly string[];
}

export interface MergeResult {
  /** The conversation after the merge, in order. */
  messages: ChatMessage[];
  /** Records that are new or changed: the only ones to write back. */
  writes: ChatMessage[];
  /** Ids to delete locally: deleted or expired on the server. */
  drops: string[];
}

/**
 * Reconciles the local cache with the server, by id. A final server record wins; a local `pending` turn stays until
 * the server has it; a streaming reply takes the longer text; a confirmed record missing from the server's `ids`
 * for longer than KV's consistency window was deleted or expired there and is dropped (younger ones may simply not
 * be visible yet).
 *
 * @example
 * ```ts
 * const { messages, writes, drops } = merge(cached, await history(), Date.now());
 * ```
 */
export function merge(local: readonly ChatMessage[], server: ServerState, now: number): MergeResult {
  const byId = new Map(local.map((m) => [m.id, m]));
  const writes: ChatMessage[] = [];
  const drops: string[] = [];
  for (const s of server.messages) {
    const l = byId.get(s.id);
    // A final server record wins; else a local final one stays; of two unfinished ones the longer text wins (a
    // checkpoint may lag behind what this client has already shown), and a pending turn gives way.
    const wins =
      !l ||
      isFinalStatus(s.status) ||
      (!isFinalStatus(l.status) && (l.status === 'pending' || s.content.length >= l.content.length));
    if (wins && JSON.stringify(l) !== JSON.stringify(s)) byId.set(s.id, s) && writes.push(s);
  }
  for (const [id, m] of byId)
    if (
      m.status !== 'pending' &&
      !server.ids.includes(id) &&
      now - Date.parse(m.updatedAt ?? m.timestamp) > KV_CONSISTENCY_WINDOW_MS
    )
      byId.delete(id) && drops.push(id);
  return { messages: [...byId.values()].sort(byTime), writes, drops };
}
