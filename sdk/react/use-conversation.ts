import { useCallback, useMemo, useSyncExternalStore } from 'react';
import {
  ChatClient,
  DEFAULT_BASE_PATH,
  type ChatClientOptions,
  type ChatError,
  type ChatMessage,
  type ChatSnapshot,
  type ChatStatus,
} from '../index';
import { acquireClient, clientKey, peekClient, releaseClient, type SharedClient } from './shared-clients';

/**
 * Options of {@link useConversation}: the conversation to show, and the {@link ChatClientOptions} its client is made
 * with. The client is made once per endpoint and session id, with the options of the first component that shows that
 * conversation; later changes to the other options do not remake it.
 *
 * @example
 * ```ts
 * useConversation({ sessionId, endpoint: 'https://chat.example.com/api', stallTimeoutMs: 20_000 });
 * ```
 */
export interface UseConversationOptions extends Omit<ChatClientOptions, 'sessionId'> {
  /**
   * The conversation to show. Required: the server render and the first browser render must agree on it, so it
   * cannot be chosen from IndexedDB. Make one with `makeSessionId()` and keep it (in the URL, in storage).
   */
  sessionId: string;
  /**
   * Messages shown before the client has read its cache: on the server and while the page hydrates. Pass the
   * history the server rendered with (e.g. from `GET /api/history`) so the hydrated page matches it. Read once per
   * session id.
   * @defaultValue `[]`
   */
  initialMessages?: readonly ChatMessage[];
}

/**
 * What {@link useConversation} returns: the client's {@link ChatSnapshot} and its actions.
 *
 * @example
 * ```ts
 * const { messages, status, loaded, send, stop, clear } = useConversation({ sessionId });
 * ```
 */
export interface Conversation {
  readonly messages: readonly ChatMessage[];
  readonly status: ChatStatus;
  readonly sessionId: string;
  readonly storage: ChatSnapshot['storage'];
  readonly error?: ChatError;
  /** `false` on the server and until the client has read its cache (`initialMessages` are shown meanwhile). */
  readonly loaded: boolean;
  /** `ChatClient.send`: the same function on every render of the same conversation. */
  readonly send: (content: string) => Promise<ChatMessage>;
  /** `ChatClient.stop`: the same function on every render of the same conversation. */
  readonly stop: () => Promise<void>;
  /** `ChatClient.clear`: the same function on every render of the same conversation. */
  readonly clear: () => Promise<void>;
}

const NO_MESSAGES: readonly ChatMessage[] = [];

/**
 * One conversation as React state: the messages, the connection status, and `send`, `stop` and `clear`.
 *
 * Every component showing the same conversation (same endpoint and session id) shares one `ChatClient`, made when
 * the first of them mounts and closed after the last unmounts. StrictMode's double mount and fast refresh get the
 * same client back, never a closed one. Server rendering makes no client and never touches IndexedDB: it shows
 * `initialMessages`, as does the first browser render, so hydration matches.
 *
 * @example
 * ```tsx
 * function Chat({ sessionId }: { sessionId: string }) {
 *   const { messages, status, send, stop } = useConversation({ sessionId });
 *   return (
 *     <>
 *       {messages.map((m) => <p key={m.id} data-role={m.role}>{m.content}</p>)}
 *       <button onClick={() => void send('Hello')}>Send</button>
 *       {status === 'streaming' && <button onClick={() => void stop()}>Stop</button>}
 *     </>
 *   );
 * }
 * ```
 */
export function useConversation(options: UseConversationOptions): Conversation {
  const { sessionId, initialMessages, ...clientOptions } = options;
  const endpoint = (clientOptions.endpoint ?? DEFAULT_BASE_PATH).replace(/\/$/, '');
  const key = clientKey(endpoint, sessionId);

  // Per conversation, not per render (hence `key` alone as the dependency): a placeholder made anew from an inline
  // `initialMessages` array on each render would never equal the last one, and React would render again forever.
  const placeholder = useMemo((): ChatSnapshot => placeholderSnapshot(sessionId, initialMessages), [key]);
  // The client is made with the options of the render that first needs it; only the conversation remakes it.
  const make = useCallback(() => new ChatClient({ ...clientOptions, endpoint, sessionId }), [key]);

  const subscribe = useCallback(
    (onChange: () => void) => {
      const shared = acquireClient(key, make);
      shared.listeners.add(onChange);
      return () => {
        shared.listeners.delete(onChange);
        releaseClient(key, shared);
      };
    },
    [key, make],
  );
  const getSnapshot = useCallback((): ChatSnapshot => {
    const shared = peekClient(key);
    return shared?.loaded ? shared.client.getSnapshot() : placeholder;
  }, [key, placeholder]);
  const getServerSnapshot = useCallback((): ChatSnapshot => placeholder, [placeholder]);
  const snapshot = useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);

  const send = useCallback((content: string) => withClient(key, make, (client) => client.send(content)), [key, make]);
  const stop = useCallback(() => withClient(key, make, (client) => client.stop()), [key, make]);
  const clear = useCallback(() => withClient(key, make, (client) => client.clear()), [key, make]);

  return {
    messages: snapshot.messages,
    status: snapshot.status,
    sessionId: snapshot.sessionId,
    storage: snapshot.storage,
    error: snapshot.error,
    loaded: snapshot !== placeholder,
    send,
    stop,
    clear,
  };
}

function placeholderSnapshot(sessionId: string, initialMessages: readonly ChatMessage[] = NO_MESSAGES): ChatSnapshot {
  return { messages: initialMessages, status: 'idle', sessionId, storage: 'indexeddb' };
}

/**
 * Runs `action` on the conversation's client, holding it until the action settles: an action called before the
 * component subscribed, or while it unmounts, still has a client that stays open until the action is done.
 */
async function withClient<T>(key: string, make: () => ChatClient, action: (client: ChatClient) => Promise<T>): Promise<T> {
  const shared: SharedClient = acquireClient(key, make);
  try {
    return await action(shared.client);
  } finally {
    releaseClient(key, shared);
  }
}
