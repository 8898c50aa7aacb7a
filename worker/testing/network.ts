/**
 * A network between a client and an in-process Worker that a test can take down and bring back: while it is down
 * every request rejects as `fetch` does offline, and the bodies of responses still streaming break off.
 */
export interface TestNetwork {
  /** `false` between `down()` and `up()`. */
  readonly online: boolean;
  /** Requests reject with `TypeError('Failed to fetch')`; open response streams fail mid-read. */
  down(): void;
  /** Requests go through again, and `online` is dispatched on `events`. */
  up(): void;
  /** Where `online` is heard: pass it as `ChatClient`'s `onlineEvents`, so a client retries as a page would. */
  readonly events: EventTarget;
  /** `fetch` through this network. */
  connect(fetchFn: (input: string | URL | Request, init?: RequestInit) => Promise<Response>): (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
}

const offlineError = () => new TypeError('Failed to fetch');

/** A body that fails with `cut`'s reason when `cut` aborts; cancelling it cancels the Worker's stream. */
function cuttable(body: ReadableStream<Uint8Array>, cut: AbortSignal): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let onCut = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      onCut = () => {
        controller.error(cut.reason);
        reader.cancel(cut.reason).catch(() => undefined);
      };
      if (cut.aborted) onCut();
      else cut.addEventListener('abort', onCut, { once: true });
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (cut.aborted) return;
        if (done) {
          cut.removeEventListener('abort', onCut);
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        cut.removeEventListener('abort', onCut);
        if (!cut.aborted) controller.error(error);
      }
    },
    cancel(reason) {
      cut.removeEventListener('abort', onCut);
      return reader.cancel(reason);
    },
  });
}

/**
 * @example
 * ```ts
 * const network = testNetwork();
 * const fetchThrough = network.connect(worker.fetch);
 * network.down(); // fetchThrough rejects
 * network.up();   // and works again; `online` fires on network.events
 * ```
 */
export function testNetwork(): TestNetwork {
  // One controller per spell of being online: taking the network down aborts it, cutting what is in flight.
  let connection: AbortController | undefined = new AbortController();
  const events = new EventTarget();
  return {
    get online() {
      return connection !== undefined;
    },
    events,
    down() {
      connection?.abort(offlineError());
      connection = undefined;
    },
    up() {
      if (connection !== undefined) return;
      connection = new AbortController();
      events.dispatchEvent(new Event('online'));
    },
    connect: (fetchFn) => async (input, init) => {
      const callerSignal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
      if (connection === undefined) throw offlineError();
      if (callerSignal?.aborted) throw callerSignal.reason;
      const cut = callerSignal ? AbortSignal.any([connection.signal, callerSignal]) : connection.signal;
      const response = await new Promise<Response>((resolve, reject) => {
        const onCut = () => reject(cut.reason);
        cut.addEventListener('abort', onCut, { once: true });
        fetchFn(input, init).then(
          (answer) => {
            cut.removeEventListener('abort', onCut);
            resolve(answer);
          },
          (error: unknown) => {
            cut.removeEventListener('abort', onCut);
            reject(error);
          },
        );
      });
      if (response.body === null) return response;
      return new Response(cuttable(response.body, cut), {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    },
  };
}
