import { createParser } from 'eventsource-parser';

/**
 * The `data` field of each server-sent event in `body`, grouped by the read that completed them: one array per chunk
 * of the body (empty when a chunk ended no event). A consumer that handles a whole group before it waits again pays
 * for one await per network read, not one per event. Chunk boundaries (mid-line, mid-character) are the parser's
 * problem, not the caller's. Stops reading when `signal` aborts.
 */
export async function* sseDataBatches(body: ReadableStream<Uint8Array>, signal: AbortSignal): AsyncGenerator<string[]> {
  let pending: string[] = [];
  const parser = createParser({ onEvent: (event) => pending.push(event.data) });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  const cancel = () => {
    reader.cancel(signal.reason).catch(() => undefined);
  };
  signal.addEventListener('abort', cancel, { once: true });
  let finished = false;
  const take = (): string[] => {
    const batch = pending;
    pending = [];
    return batch;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        break;
      }
      parser.feed(decoder.decode(value, { stream: true }));
      if (pending.length > 0) yield take();
    }
    parser.feed(decoder.decode());
    if (pending.length > 0) yield take();
  } finally {
    signal.removeEventListener('abort', cancel);
    // Stopped early (the consumer returned or threw): let the upstream connection go.
    if (!finished) reader.cancel().catch(() => undefined);
    else reader.releaseLock();
  }
}

/** The `data` field of each server-sent event in `body`, in order; see {@link sseDataBatches}. */
export async function* sseData(body: ReadableStream<Uint8Array>, signal: AbortSignal): AsyncGenerator<string> {
  for await (const batch of sseDataBatches(body, signal)) yield* batch;
}
