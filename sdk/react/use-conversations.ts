import { useCallback, useMemo, useSyncExternalStore } from 'react';
import {
  ConversationList,
  DEFAULT_BASE_PATH,
  type ConversationListOptions,
  type ConversationListSnapshot,
  type ConversationSummary,
} from '../index';

/** One `ConversationList` per endpoint and owner key, shared by every component that shows it. */
interface SharedList {
  readonly list: ConversationList;
  loaded: boolean;
  readonly listeners: Set<() => void>;
  users: number;
  closing?: ReturnType<typeof setTimeout>;
}
const lists = new Map<string, SharedList>();

function acquire(key: string, make: () => ConversationList): SharedList {
  let shared = lists.get(key);
  if (!shared) {
    const list = make();
    const created: SharedList = { list, loaded: false, listeners: new Set(), users: 0 };
    const notify = () => created.listeners.forEach((listener) => listener());
    list.subscribe(notify);
    const loaded = () => {
      created.loaded = true;
      notify();
    };
    void list.ready.then(loaded, loaded);
    lists.set(key, (shared = created));
  }
  clearTimeout(shared.closing);
  shared.closing = undefined;
  shared.users++;
  return shared;
}

/** The last use closes the list a task later: StrictMode releases and takes it again within one task. */
function release(key: string, shared: SharedList): void {
  if (--shared.users > 0) return;
  shared.closing = setTimeout(() => {
    if (shared.users > 0 || lists.get(key) !== shared) return;
    lists.delete(key);
    shared.list.close();
  }, 0);
}

/** What {@link useConversations} returns: the list's state and its actions, stable across renders. */
export interface Conversations {
  /** Newest first. */
  readonly conversations: readonly ConversationSummary[];
  readonly status: ConversationListSnapshot['status'];
  readonly online: boolean;
  /** `false` on the server and until the cached list is read. */
  readonly loaded: boolean;
  /** A new conversation's session id, listed at once. */
  readonly create: (title?: string) => string;
  readonly rename: (sessionId: string, title: string) => Promise<void>;
  readonly remove: (sessionId: string) => Promise<void>;
  readonly sync: () => Promise<void>;
}

const EMPTY: ConversationListSnapshot = { conversations: [], status: 'idle', online: true };

/**
 * The owner's conversations as React state, over one shared {@link ConversationList} (made with the options of the
 * first component that needs it; one per endpoint and owner key). Safe under StrictMode; the server render shows an
 * empty list and touches no IndexedDB.
 *
 * @example
 * ```tsx
 * const { conversations, create, rename, remove } = useConversations({ endpoint: '/api' });
 * ```
 */
export function useConversations(options: ConversationListOptions = {}): Conversations {
  const endpoint = (options.endpoint ?? DEFAULT_BASE_PATH).replace(/\/$/, '');
  const key = `${endpoint}\n${String(options.ownerKey ?? '')}`;
  const make = useCallback(() => new ConversationList({ ...options, endpoint }), [key]);
  const subscribe = useCallback(
    (onChange: () => void) => {
      const shared = acquire(key, make);
      shared.listeners.add(onChange);
      return () => {
        shared.listeners.delete(onChange);
        release(key, shared);
      };
    },
    [key, make],
  );
  const getSnapshot = useCallback(() => {
    const shared = lists.get(key);
    return shared?.loaded ? shared.list.getSnapshot() : EMPTY;
  }, [key]);
  const snapshot = useSyncExternalStore(subscribe, getSnapshot, () => EMPTY);
  const actions = useMemo(() => {
    const held = <T>(action: (list: ConversationList) => T): T => {
      const shared = acquire(key, make);
      const result = action(shared.list);
      if (result instanceof Promise) void result.finally(() => release(key, shared)).catch(() => undefined);
      else release(key, shared);
      return result;
    };
    return {
      create: (title?: string) => held((l) => l.create(title)),
      rename: (sessionId: string, title: string) => held((l) => l.rename(sessionId, title)),
      remove: (sessionId: string) => held((l) => l.remove(sessionId)),
      sync: () => held((l) => l.sync()),
    };
  }, [key, make]);
  return { ...snapshot, loaded: snapshot !== EMPTY, ...actions };
}
