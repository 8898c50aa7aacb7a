import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * Reads a `text/event-stream` body to its end, calling `onEvent` per event. `onChunk` fires after the events of
 * every chunk, `: ping` comments included, so a caller can tell a quiet stream from a dead one and show a chunk's
 * events at once rather than one by one. A `fetch` body is a POST answer here, which `EventSource` cannot make.
 */
export async function readSSE(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: EventSourceMessage) => void,
  onChunk?: () => void,
): Promise<void> {
  const parser = createParser({ onEvent });
  // `stream: true` keeps a UTF-8 character split across chunks until its last byte arrives.
  const decoder = new TextDecoder();
  const reader = body.getReader();
  for (let r; !(r = await reader.read()).done; ) {
    parser.feed(decoder.decode(r.value, { stream: true }));
    onChunk?.();
  }
  // No final `decoder.decode()`: bytes after the last blank line are a cut-off event, never dispatched.
}
