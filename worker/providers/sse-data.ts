import { createParser } from 'eventsource-parser';

/**
 * The `data` field of each server-sent event in `body`, in order. Chunk boundaries (mid-line, mid-character) are
 * the parser's problem, not the caller's. Stops reading when `signal` aborts.
 */
export async function* sseData(body: ReadableStream<Uint8Array>, signal: AbortSignal): AsyncGenerator<string> {
  const pending: string[] = [];
  const parser = createParser({ onEvent: (event) => pending.push(event.data) });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  const cancel = () => {
    reader.cancel(signal.reason).catch(() => undefined);
  };
  signal.addEventListener('abort', cancel, { once: true });
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        break;
      }
      parser.feed(decoder.decode(value, { stream: true }));
      while (pending.length > 0) yield pending.shift() as string;
    }
    parser.feed(decoder.decode());
    while (pending.length > 0) yield pending.shift() as string;
  } finally {
    signal.removeEventListener('abort', cancel);
    // Stopped early (the consumer returned or threw): let the upstream connection go.
    if (!finished) reader.cancel().catch(() => undefined);
    else reader.releaseLock();
  }
}
