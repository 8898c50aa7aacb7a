import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { readSSE } from '../../../sdk/sse-reader';

/** Reads a whole SSE body into its events (a bench client that keeps nothing else). */
export async function readEvents(body: ReadableStream<Uint8Array>): Promise<EventSourceMessage[]> {
  const events: EventSourceMessage[] = [];
  await readSSE(body, (event) => events.push(event));
  return events;
}

/** Reads an SSE body until the first event named `name`; the rest of the body is cancelled. */
export async function untilEvent(body: ReadableStream<Uint8Array>, name: string): Promise<EventSourceMessage | undefined> {
  let found: EventSourceMessage | undefined;
  const parser = createParser({
    onEvent: (event) => {
      if (found === undefined && event.event === name) found = event;
    },
  });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  while (found === undefined) {
    const r = await reader.read();
    if (r.done) break;
    parser.feed(decoder.decode(r.value, { stream: true }));
  }
  await reader.cancel().catch(() => undefined);
  return found;
}

/** Reads and drops a body to its end: the cheapest possible client. */
export async function drain(body: ReadableStream<Uint8Array> | null): Promise<number> {
  if (body === null) return 0;
  let bytes = 0;
  const reader = body.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.byteLength;
  return bytes;
}

/** A byte stream of `chunks`, handed out one per read. */
export function streamOf(chunks: readonly Uint8Array[], onPull?: () => void): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      onPull?.();
      const chunk = chunks[index++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  });
}

/** Cuts `bytes` into pieces of `size` bytes (the last one shorter), as a network would deliver them. */
export function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.byteLength; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}
