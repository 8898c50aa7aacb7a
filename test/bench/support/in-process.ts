/**
 * Calls a Worker's `fetch` handler in the current process, with an ExecutionContext whose `waitUntil` work can be
 * awaited, so a benchmark counts or times a whole exchange, the work after the response included.
 */
export interface FetchHandler<E> {
  fetch(request: Request, env: E, ctx: ExecutionContext): Promise<Response>;
}

export interface InProcessWorker {
  /** A `fetch` with the Worker behind it (for a ChatClient or a bench loop); any origin reaches it. */
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** Resolves once every `waitUntil` promise registered so far has settled. */
  settled(): Promise<void>;
}

/**
 * @example
 * ```ts
 * const host = inProcess(createChatWorker({ kv: memoryKv(), model }), {});
 * const response = await host.fetch('http://bench/api/history?sessionId=abcdefgh');
 * ```
 */
export function inProcess<E>(worker: FetchHandler<E>, env: E): InProcessWorker {
  const pending = new Set<Promise<unknown>>();
  const ctx = {
    waitUntil(promise: Promise<unknown>) {
      const tracked = promise.catch(() => undefined).finally(() => pending.delete(tracked));
      pending.add(tracked);
    },
    passThroughOnException() {},
    props: {},
  } as unknown as ExecutionContext;
  return {
    fetch: (input, init) => worker.fetch(new Request(input, init), env, ctx),
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
