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
  // Cancelling ends a read already waiting at once (the stream closes), whatever the transport does with the abort.
  const cancel = () => void reader.cancel().catch(() => {});
  signal?.addEventListener('abort', cancel);
  try {
    for (let chunk; !signal?.aborted && !(chunk = await reader.read()).done; ) {
      parser.feed(decoder.decode(chunk.value, { stream: true }));
      if (onChunk?.() === true) break;
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
    cancel();
  }
  // No final `decoder.decode()`: bytes after the last blank line are a cut-off event, never dispatched.
}
