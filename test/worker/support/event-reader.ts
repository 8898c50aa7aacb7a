import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { ChatWorker } from '../../../worker/index';
import { parseSse, type ParsedEvent } from './sse';

/** Reads an event stream event by event, as a client following a reply live does. */
export class EventReader {
  readonly events: ParsedEvent[] = [];
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  private readonly decoder = new TextDecoder();
  private buffer = '';
  private ended = false;

  /** The body is locked only once reading starts, so a test may still read an error answer as JSON. */
  constructor(private readonly response: Response) {}

  private get body(): ReadableStreamDefaultReader<Uint8Array> {
    if (this.reader === undefined) {
      if (this.response.body === null) throw new Error(`No body (status ${this.response.status})`);
      this.reader = this.response.body.getReader();
    }
    return this.reader;
  }

  /** Reads until `wanted` holds for an event (returned), or the stream ends (`undefined`). */
  async until(wanted: (event: ParsedEvent) => boolean): Promise<ParsedEvent | undefined> {
    let seen = 0;
    for (;;) {
      for (; seen < this.events.length; seen++) {
        const event = this.events[seen];
        if (event !== undefined && wanted(event)) return event;
      }
      if (this.ended) return undefined;
      await this.pull();
    }
  }

  /** Reads to the end of the stream; every event, in order. */
  async rest(): Promise<ParsedEvent[]> {
    while (!this.ended) await this.pull();
    return this.events;
  }

  /** The text of every `delta` read so far. */
  text(): string {
    return this.events
      .filter((event) => event.event === 'delta')
      .map((event) => (event.data as { text: string }).text)
      .join('');
  }

  async cancel(): Promise<void> {
    await this.body.cancel();
    this.ended = true;
  }

  private async pull(): Promise<void> {
    const { done, value } = await this.body.read();
    if (done) {
      this.ended = true;
      this.buffer += this.decoder.decode();
    } else this.buffer += this.decoder.decode(value, { stream: true });
    const cut = this.buffer.lastIndexOf('\n\n');
    if (cut < 0) return;
    this.events.push(...parseSse(this.buffer.slice(0, cut + 2)).events);
    this.buffer = this.buffer.slice(cut + 2);
  }
}

/** Sends a request whose answer is read as it streams; `settled()` waits for the Worker's `waitUntil` work. */
export async function open(
  worker: ChatWorker<Cloudflare.Env>,
  request: Request,
): Promise<{ response: Response; events: EventReader; settled: () => Promise<void> }> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, env, ctx);
  return { response, events: new EventReader(response), settled: () => waitOnExecutionContext(ctx) };
}
