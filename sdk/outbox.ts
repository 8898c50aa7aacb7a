import type { ChatMessage } from './protocol';
import type { ChatStorage } from './storage/chat-storage';

/** What to do with the outbox now. */
export interface OutboxPlan {
  /** Turns to send, oldest first. */
  send: ChatMessage[];
  /** Entries the server has acknowledged (their record is no longer `pending`): done. */
  done: string[];
  /** Turns shown pending whose entry and record were both lost with the database: queued again. */
  requeue: ChatMessage[];
}

/**
 * Decides the outbox's next round from what the page shows and what storage holds. An entry is removed only on
 * positive evidence that the server has the turn (its record is no longer `pending`); an entry for a turn this
 * page has not seen yet (another tab has just queued it) is sent from its stored record, never dropped.
 *
 * @example
 * ```ts
 * const plan = await planOutbox(storage, sessionId, messages.get, () => shownPendingTurns());
 * ```
 */
export async function planOutbox(
  storage: ChatStorage,
  sessionId: string,
  shown: (id: string) => ChatMessage | undefined,
  shownPending: () => readonly ChatMessage[],
): Promise<OutboxPlan> {
  const queued = await storage.outbox(sessionId);
  const plan: OutboxPlan = { send: [], done: [], requeue: [] };
  const unseen = queued.filter((id) => !shown(id));
  // A database lost underneath takes every entry with it: only an empty outbox can leave a turn orphaned, and only
  // then is the conversation scanned for turns shown pending (never on a send's path, which always finds its entry).
  const orphans = queued.length ? [] : shownPending();
  // Read the stored records only when something is not where it should be: an unseen entry, an orphaned turn.
  const stored = unseen.length || orphans.length ? new Map((await storage.load(sessionId)).map((m) => [m.id, m])) : undefined;
  for (const id of queued) {
    const turn = shown(id) ?? stored?.get(id);
    if (!turn) continue; // its record is not visible yet: the entry waits
    if (turn.status === 'pending') plan.send.push(turn);
    else plan.done.push(id);
  }
  // A turn shown pending whose entry and record are both gone was lost with the database (site data cleared,
  // another tab deleted it). One whose record is still stored was dequeued on purpose, by a tab that sent it.
  for (const turn of orphans) if (!stored?.has(turn.id)) plan.requeue.push(turn), plan.send.push(turn);
  return plan;
}
