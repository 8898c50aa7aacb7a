import { createParser, type EventSourceParser } from 'eventsource-parser';

/** One options object for every chunk, not one per call. */
const STREAM = { stream: true };

/**
 * Reads server-sent events from `body`, a chunk at a time: each {@link read} returns the `data` of the events that
 * chunk completed (often none, often several), `undefined` at the end. A provider that handles a whole chunk before
 * it reads again pays for one await per network read, not one per event. Chunk boundaries (mid-line,
 * mid-character) are the parser's problem, not the caller's. Stops reading when `signal` aborts.
 */
export class SseDataReader {
  private pending: string[] = [];
  private readonly parser: EventSourceParser;
  private readonly decoder = new TextDecoder();
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly onAbort: () => void;
  private finished = false;
  private released = false;

  constructor(body: ReadableStream<Uint8Array>, private readonly signal: AbortSignal) {
    this.parser = createParser({ onEvent: (event) => this.pending.push(event.data) });
    this.reader = body.getReader();
    this.onAbort = () => {
      this.reader.cancel(signal.reason).catch(() => undefined);
    };
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** The `data` of the events the next chunk completed; `undefined` once the body has ended. */
  read(): Promise<string[] | undefined> {
    if (this.finished) return Promise.resolve(undefined);
    // A `then` rather than an async function: one promise per chunk fewer, on a path taken once per model event.
    return this.reader.read().then(this.take);
  }

  private readonly take = ({ done, value }: ReadableStreamReadResult<Uint8Array>): string[] => {
    if (done) {
      this.finished = true;
      this.parser.feed(this.decoder.decode());
    } else this.parser.feed(this.decoder.decode(value, STREAM));
    const batch = this.pending;
    this.pending = [];
    return batch;
  };

  /** Lets the body go: cancelled if it was not read to its end (the upstream connection is released). */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.signal.removeEventListener('abort', this.onAbort);
    if (!this.finished) this.reader.cancel().catch(() => undefined);
    else this.reader.releaseLock();
  }
}

/** The `data` field of each server-sent event in `body`, in order; see {@link SseDataReader}. */
export async function* sseData(body: ReadableStream<Uint8Array>, signal: AbortSignal): AsyncGenerator<string> {
  const reader = new SseDataReader(body, signal);
  try {
    for (let batch = await reader.read(); batch !== undefined; batch = await reader.read()) yield* batch;
  } finally {
    reader.release();
  }
}
