import type { ChatMessage } from './protocol';

/** What one tab tells the others about a conversation. */
export interface TabMessage {
  /** Records written (or streamed) by the sender. */
  put?: ChatMessage[];
  /** Ids the sender dropped. */
  drops?: string[];
  /** The conversation was cleared. */
  clear?: true;
}

export interface TabChannel {
  post(message: TabMessage): void;
  close(): void;
}

/**
 * "Something changed" between tabs on one conversation. Without BroadcastChannel a tab still works, alone.
 */
export function openTabChannel(
  BC: typeof BroadcastChannel | null | undefined,
  name: string,
  onMessage: (message: TabMessage) => void,
): TabChannel {
  const ch = BC && new BC(name);
  if (ch) ch.onmessage = (e: MessageEvent<TabMessage>) => onMessage(e.data);
  return { post: (m) => ch?.postMessage(m), close: () => ch?.close() };
}

/** The part of `navigator.locks` this uses. */
export type Locks = Pick<LockManager, 'request'>;

const held = new Set<string>();

/**
 * Runs `job` only if no other holder (in any tab) runs it now; otherwise skips it, since that holder does the work.
 * Where Web Locks are absent the lock is held per page, which still keeps two clients of one page apart.
 */
export async function runExclusive(locks: Locks | null | undefined, name: string, job: () => Promise<void>): Promise<void> {
  if (locks) return locks.request(name, { ifAvailable: true }, (lock) => (lock ? job() : undefined));
  if (held.has(name)) return;
  held.add(name);
  try {
    await job();
  } finally {
    held.delete(name);
  }
}
