/**
 * Calls a Worker's `fetch` handler in the current process, with an execution context whose `waitUntil` work can be
 * awaited, so a test or a benchmark sees a whole exchange, the work after the response included.
 */

/** The part of the Workers `ExecutionContext` a handler gets here. */
export interface InProcessContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
  readonly props: unknown;
}

/** A Worker's handler, as `createChatWorker` returns it. */
export interface FetchHandler<E> {
  fetch(request: Request, env: E, ctx: InProcessContext): Promise<Response>;
}

export interface InProcessWorker {
  /** A `fetch` with the Worker behind it; any origin reaches it, and a path alone is resolved against `origin`. */
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** Resolves once every `waitUntil` promise registered so far (and any they register) has settled. */
  settled(): Promise<void>;
}

/** Where a request given as a bare path is sent. */
export const DEFAULT_TEST_ORIGIN = 'http://chatkeep.test';

/**
 * @param origin resolves a bare path such as `'/api/chat'` (what `ChatClient`'s default endpoint makes)
 * @example
 * ```ts
 * const options = { kv: memoryKv(), model };
 * const objects = inProcessConversations(createConversationClass(options));
 * const host = inProcess(createChatWorker({ ...options, conversations: objects.namespace }), {});
 * const response = await host.fetch('/api/history?sessionId=abcdefgh');
 * await host.settled();
 * ```
 */
export function inProcess<E>(worker: FetchHandler<E>, env: E, origin: string = DEFAULT_TEST_ORIGIN): InProcessWorker {
  const pending = new Set<Promise<unknown>>();
  const ctx: InProcessContext = {
    waitUntil(promise) {
      const tracked = promise.catch(() => undefined).finally(() => pending.delete(tracked));
      pending.add(tracked);
    },
    passThroughOnException() {},
    props: {},
  };
  return {
    fetch: async (input, init) => {
      const request = typeof input === 'string' ? new Request(new URL(input, origin), init) : new Request(input, init);
      return worker.fetch(request, env, ctx);
    },
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
