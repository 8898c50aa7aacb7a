import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * Reads a `text/event-stream` body until its end, `signal` aborts, or `onChunk` returns `true`; calls `onEvent` per
 * event. `onChunk` fires after the events of every chunk, `: ping` comments included, so a caller can tell a quiet
 * stream from a dead one and show a chunk's events at once rather than one by one. A `fetch` body is a POST answer
 * here, which `EventSource` cannot make.
 */
export async function readSSE(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: EventSourceMessage) => void,
  onChunk?: () => unknown,
  signal?: AbortSignal,
): Promise<void> {
  const parser = createParser({ onEvent });
  // `stream: true` keeps a UTF-8 character split across chunks until its last byte arrives.
  const decoder = new TextDecoder();
  const reader = body.getReader();
  // An abort ends the read at once: a transport does not always fail a read that is already waiting.
  const aborted = new Promise<never>((_, reject) => {
    const stop = () => reject(signal?.reason);
    if (signal?.aborted) stop();
    signal?.addEventListener('abort', stop);
  });
  aborted.catch(() => {});
  try {
    for (let chunk; !(chunk = await Promise.race([reader.read(), aborted])).done; ) {
      parser.feed(decoder.decode(chunk.value, { stream: true }));
      if (onChunk?.() === true) break;
    }
  } finally {
    void reader.cancel().catch(() => {});
  }
  // No final `decoder.decode()`: bytes after the last blank line are a cut-off event, never dispatched.
}
