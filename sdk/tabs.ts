import type { ChatMessage } from './protocol';

/** What one tab tells the others about a conversation. */
export interface TabMessage {
  /** Records the sender shows now (a streaming reply's at most every 50 ms). */
  put?: readonly ChatMessage[];
  /** Ids the sender dropped. */
  drops?: readonly string[];
  /** The conversation was cleared (or deleted elsewhere). */
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
  Channel: typeof BroadcastChannel | null | undefined,
  name: string,
  onMessage: (message: TabMessage) => void,
): TabChannel {
  const channel = Channel && new Channel(name);
  if (channel) channel.onmessage = (event: MessageEvent<TabMessage>) => onMessage(event.data);
  return { post: (message) => channel?.postMessage(message), close: () => channel?.close() };
}

/** The part of `navigator.locks` this uses. */
export type Locks = Pick<LockManager, 'request'>;

/** Jobs per lock name where Web Locks are absent: the lock is then held per page. */
const pageLocks = new Map<string, Promise<unknown>>();

/**
 * Runs `job` holding the lock `name` (across tabs with Web Locks, per page without). With `wait` false the job is
 * skipped when another holder has the lock, since that holder does the work; with `wait` it runs after them.
 */
export async function runExclusive(locks: Locks | null | undefined, name: string, job: () => Promise<void>, wait = false): Promise<void> {
  if (locks) return locks.request(name, { ifAvailable: !wait }, (lock) => (lock ? job() : undefined));
  const held = pageLocks.get(name);
  if (held && !wait) return;
  const run = (held ?? Promise.resolve()).then(job, job).finally(() => {
    if (pageLocks.get(name) === run) pageLocks.delete(name);
  });
  pageLocks.set(name, run);
  return run;
}
