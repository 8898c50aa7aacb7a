import type { ChatMessage } from '../protocol';

/** What a client remembers about a conversation besides its messages. */
export interface SessionRecord {
  id: string;
  /** Last use, in ms: picks the conversation to reopen and the ones to evict first. */
  at: number;
  /** The `cursor` of the last history answer, sent back as `since`. */
  cursor?: string;
}

/**
 * Where a client keeps conversations. Two implementations pass one conformance suite: {@link idbStorage} and
 * {@link memoryStorage}.
 */
export interface ChatStorage {
  /** A conversation's messages, in no particular order. */
  load(sessionId: string): Promise<ChatMessage[]>;
  /** Writes records and deletes ids of one conversation, in one transaction. */
  put(sessionId: string, messages: readonly ChatMessage[], drops?: readonly string[]): Promise<unknown>;
  /** Writes a user turn and its outbox entry in one transaction: neither exists without the other. */
  enqueue(message: ChatMessage): Promise<unknown>;
  /** Removes an outbox entry once the server acknowledged the turn. */
  dequeue(id: string): Promise<unknown>;
  /** Ids of the conversation's unsent turns, oldest first. */
  outbox(sessionId: string): Promise<string[]>;
  sessions(): Promise<SessionRecord[]>;
  saveSession(session: SessionRecord): Promise<unknown>;
  /** Deletes a conversation: messages, outbox entries and its session record. */
  drop(sessionId: string): Promise<unknown>;
  close(): void;
}

/**
 * Frees space after a quota error: deletes the least recently used conversation other than `keep`, skipping any
 * with unsent turns. Resolves `false` when nothing could be evicted.
 */
export async function evictOldest(storage: ChatStorage, keep: string): Promise<boolean> {
  for (const s of (await storage.sessions()).sort((a, b) => a.at - b.at)) {
    if (s.id !== keep && !(await storage.outbox(s.id)).length) {
      await storage.drop(s.id);
      return true;
    }
  }
  return false;
}
