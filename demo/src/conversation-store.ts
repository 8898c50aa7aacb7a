/**
 * The list of conversations this browser has opened, kept in localStorage. The messages themselves live in the
 * SDK's cache and on the server; this only remembers ids, titles and which one was open last.
 */
import { isValidId } from 'chatkeep';

export interface ConversationEntry {
  sessionId: string;
  /** The first user turn, shortened; empty for a conversation with no turns yet. */
  title: string;
  /** Milliseconds since the epoch of the last time the conversation was opened or changed. */
  updatedAt: number;
}

export interface ConversationStoreOptions {
  /** Where the list is kept; `localStorage` in the page. */
  storage: Pick<Storage, 'getItem' | 'setItem'>;
  /** The clock. */
  now: () => number;
  /**
   * Key prefix, so two apps on one origin do not share a list.
   * @defaultValue 'chatkeep-demo'
   */
  prefix?: string;
}

/** Titles longer than this are cut with an ellipsis. */
const TITLE_MAX_CHARS = 60;

/**
 * Reads and writes the conversation list. Every method tolerates a missing, corrupt or unwritable storage (private
 * mode, quota), because losing the list must never stop the chat itself.
 *
 * @example
 * const store = new ConversationStore({ storage: localStorage, now: Date.now });
 * store.touch('q3Jb1x0Q1sZ8m8mYvQJw7A');
 * store.list(); // newest first
 */
export class ConversationStore {
  readonly #storage: ConversationStoreOptions['storage'];
  readonly #now: () => number;
  readonly #listKey: string;
  readonly #lastKey: string;

  constructor({ storage, now, prefix = 'chatkeep-demo' }: ConversationStoreOptions) {
    this.#storage = storage;
    this.#now = now;
    this.#listKey = `${prefix}:conversations`;
    this.#lastKey = `${prefix}:last`;
  }

  /** Conversations, most recently used first. */
  list(): ConversationEntry[] {
    return this.#read().sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /** The conversation open last, or null. */
  last(): string | null {
    return this.#get(this.#lastKey);
  }

  /** Records that a conversation is open now (adds it to the list if new) and makes it the last one used. */
  touch(sessionId: string): void {
    const entries = this.#read();
    const entry = entries.find((e) => e.sessionId === sessionId);
    if (entry) entry.updatedAt = this.#now();
    else entries.push({ sessionId, title: '', updatedAt: this.#now() });
    this.#write(entries);
    this.#set(this.#lastKey, sessionId);
  }

  /** Sets a conversation's title from its first user turn; returns whether anything changed. */
  setTitle(sessionId: string, firstUserTurn: string): boolean {
    const title = shortTitle(firstUserTurn);
    const entries = this.#read();
    const entry = entries.find((e) => e.sessionId === sessionId);
    if (!entry || entry.title === title) return false;
    entry.title = title;
    entry.updatedAt = this.#now();
    this.#write(entries);
    return true;
  }

  #read(): ConversationEntry[] {
    const raw = this.#get(this.#listKey);
    if (raw === null) return [];
    try {
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed.filter(isEntry) : [];
    } catch {
      return [];
    }
  }

  #write(entries: ConversationEntry[]): void {
    this.#set(this.#listKey, JSON.stringify(entries));
  }

  #get(key: string): string | null {
    try {
      return this.#storage.getItem(key);
    } catch {
      return null;
    }
  }

  #set(key: string, value: string): void {
    try {
      this.#storage.setItem(key, value);
    } catch {
      // Storage full or disabled: the list is a convenience, the conversation itself is unaffected.
    }
  }
}

function shortTitle(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > TITLE_MAX_CHARS ? `${oneLine.slice(0, TITLE_MAX_CHARS - 1).trimEnd()}…` : oneLine;
}

function isEntry(value: unknown): value is ConversationEntry {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return isValidId(v.sessionId) && typeof v.title === 'string' && typeof v.updatedAt === 'number';
}
