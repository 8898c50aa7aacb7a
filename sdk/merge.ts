import { isFinalStatus, KV_CONSISTENCY_WINDOW_MS, type ChatMessage } from './protocol';

/** What the server said: records (all, or those changed since a cursor) and every id it holds now. */
export interface ServerState {
  messages: readonly ChatMessage[];
  ids: readonly string[];
}

export interface MergeResult {
  /** Records that are new or changed: the only ones to show and write back. */
  writes: ChatMessage[];
  /** Ids to delete locally: deleted or expired on the server. */
  drops: string[];
}

/** Whether two records say the same thing, field by field (so the order of keys in a JSON body is irrelevant). */
export const sameMessage = (a: ChatMessage, b: ChatMessage): boolean =>
  a === b ||
  (a.id === b.id &&
    a.sessionId === b.sessionId &&
    a.role === b.role &&
    a.content === b.content &&
    a.timestamp === b.timestamp &&
    a.status === b.status &&
    a.replyTo === b.replyTo &&
    a.updatedAt === b.updatedAt &&
    a.error?.code === b.error?.code &&
    a.error?.message === b.error?.message &&
    // A tool call or a result changes the parts and not the text: the fold gives a new array then, and records
    // read from storage or history compare by value.
    (a.parts === b.parts || JSON.stringify(a.parts) === JSON.stringify(b.parts)));

/**
 * Reconciles the local cache with the server, by id. A final server record wins; a local `pending` turn stays until
 * the server has it; a streaming reply takes the longer text; a confirmed record missing from the server's `ids`
 * for longer than KV's consistency window was deleted or expired there and is dropped (younger ones may simply not
 * be visible yet).
 *
 * @example
 * ```ts
 * const { writes, drops } = merge(cachedById, await history(), Date.now());
 * ```
 */
export function merge(local: ReadonlyMap<string, ChatMessage>, server: ServerState, now: number): MergeResult {
  const writes: ChatMessage[] = [];
  const drops: string[] = [];
  for (const theirs of server.messages) {
    const ours = local.get(theirs.id);
    // A final server record wins; else a local final one stays; of two unfinished ones the longer text wins (a
    // checkpoint may lag behind what this client has already shown), and a pending turn gives way.
    const wins =
      !ours ||
      isFinalStatus(theirs.status) ||
      (!isFinalStatus(ours.status) && (ours.status === 'pending' || theirs.content.length >= ours.content.length));
    if (wins && !(ours && sameMessage(ours, theirs))) writes.push(theirs);
  }
  const held = new Set(server.ids);
  for (const [id, ours] of local)
    if (ours.status !== 'pending' && !held.has(id) && now - Date.parse(ours.updatedAt ?? ours.timestamp) > KV_CONSISTENCY_WINDOW_MS)
      drops.push(id);
  return { writes, drops };
}
