import type { ChatClient } from '../index';

/** One `ChatClient` shared by every component showing the same conversation. */
export interface SharedClient {
  readonly client: ChatClient;
  /** Whether the client has read its cache: until then components show the placeholder, as on the server. */
  loaded: boolean;
  /** Called on every change of the client, and once when it has loaded. */
  readonly listeners: Set<() => void>;
  /** Components and calls holding the client now. */
  users: number;
  /** The pending close, while nobody holds the client. */
  closing?: ReturnType<typeof setTimeout>;
}

const clients = new Map<string, SharedClient>();

/** The key of a conversation: one client per endpoint and session id. */
export const clientKey = (endpoint: string, sessionId: string): string => `${endpoint}\n${sessionId}`;

/** The client held under `key`, if any; it does not count as a use. */
export const peekClient = (key: string): SharedClient | undefined => clients.get(key);

/** Takes a use of the client under `key`, making it with `make` if there is none. */
export function acquireClient(key: string, make: () => ChatClient): SharedClient {
  let shared = clients.get(key);
  if (!shared) {
    const client = make();
    const created: SharedClient = { client, loaded: false, listeners: new Set(), users: 0 };
    const notify = () => created.listeners.forEach((listener) => listener());
    client.subscribe(notify);
    const markLoaded = () => {
      created.loaded = true;
      notify();
    };
    void client.ready.then(markLoaded, markLoaded);
    clients.set(key, (shared = created));
  }
  clearTimeout(shared.closing);
  shared.closing = undefined;
  shared.users++;
  return shared;
}

/**
 * Gives back a use. The last one closes the client one task later, not at once: StrictMode's simulated unmount and
 * fast refresh release a client and take it again within the same task, and `close()` is final, so closing at once
 * would leave them a closed client (or make a second one for nothing).
 */
export function releaseClient(key: string, shared: SharedClient): void {
  if (--shared.users > 0) return;
  clearTimeout(shared.closing);
  shared.closing = setTimeout(() => {
    if (shared.users > 0 || clients.get(key) !== shared) return;
    clients.delete(key);
    shared.listeners.clear();
    shared.client.close();
  }, 0);
}
