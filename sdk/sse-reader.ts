import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * Reads a `text/event-stream` body to its end, calling `onEvent` per event. `onActivity` fires on every chunk,
 * `: ping` comments included, so a caller can tell a quiet stream from a dead one. A `fetch` body is a POST answer
 * here, which `EventSource` cannot make.
 */
export async function readSSE(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: EventSourceMessage) => void,
  onActivity?: () => void,
): Promise<void> {
  const parser = createParser({ onEvent });
  // `stream: true` keeps a UTF-8 character split across chunks until its last byte arrives.
  const decoder = new TextDecoder();
  const reader = body.getReader();
  for (let r; !(r = await reader.read()).done; ) {
    onActivity?.();
    parser.feed(decoder.decode(r.value, { stream: true }));
  }
  parser.feed(decoder.decode());
}
