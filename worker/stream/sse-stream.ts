import { EVENT, type EventDataMap, type EventName } from '../../sdk/protocol';
import type { FinalEvent } from '../conversation/final-record';

/** Options for {@link SseStream}. */
export interface SseStreamOptions {
  /** A `: ping` comment is sent when nothing else was sent for this long. */
  pingIntervalMs: number;
}

const encoder = new TextEncoder();

/** One event as it goes on the wire: the only place an `id:`, `event:` and `data:` line is written. */
export function sseFrame(name: EventName, dataJson: string, eventId: number): string {
  return `id: ${eventId}\nevent: ${name}\ndata: ${dataJson}\n\n`;
}

/**
 * The response side of `POST /chat`: frames events with an increasing `id:` and keeps an idle stream open with
 * `: ping` comments. Writes are never awaited and never throw: once the client has gone, everything written is
 * dropped, because the reply must go on being generated and persisted without it.
 *
 * Deltas after the first are held until the task that produced them ends (or the next other event, or the end of
 * the stream) and then leave as one chunk: the several pieces of one model read cost one encode and one enqueue.
 */
export class SseStream {
  readonly readable: ReadableStream<Uint8Array>;
  // A plain source rather than a TransformStream: enqueueing is synchronous, with none of the per-write promises
  // and queue bookkeeping of a writable side that nothing here waits on.
  private readonly controller: ReadableStreamDefaultController<Uint8Array>;
  private nextId = 1;
  private closed = false;
  private sentSinceTick = false;
  private pending = '';
  /** The last delta's reply id and its JSON, so a reply's 1,000 deltas quote their id once. */
  private deltaId = '';
  private deltaIdJson = '""';
  private sentDelta = false;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly pingTimer: ReturnType<typeof setInterval>;

  constructor(options: SseStreamOptions) {
    let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
    this.readable = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
      },
      // The client went away: generation carries on, its frames are dropped.
      cancel: () => this.markClosed(),
    });
    if (controller === undefined) throw new Error('ReadableStream did not call start synchronously');
    this.controller = controller;
    this.pingTimer = setInterval(() => {
      if (!this.sentSinceTick) {
        this.pending += ': ping\n\n';
        this.flush();
      }
      this.sentSinceTick = false;
    }, options.pingIntervalMs);
  }

  /** `false` once the stream was closed or the client went away. */
  get open(): boolean {
    return !this.closed;
  }

  /**
   * Frames one event and sends it at once.
   * @param eventId the event's `id:`, when the reply numbers its events itself (every stream of a reply shares one
   *   sequence); later events without one continue from it
   */
  event<N extends EventName>(name: N, data: EventDataMap[N], eventId?: number): void {
    this.queue(name, JSON.stringify(data), eventId);
    this.flush();
  }

  /** Sends a reply's last event and closes the stream. */
  end(final: FinalEvent, eventId?: number): void {
    if (final.name === 'done') this.event('done', final.data, eventId);
    else this.event('error', final.data, eventId);
    this.close();
  }

  /**
   * Frames one `delta` event; the bytes are those of `event('delta', { id, text })`, built without an intermediate
   * object. The first delta of a stream is sent at once (it is what a person waits for); later ones are held until
   * the current task ends, so every piece that arrived in one model read leaves in one chunk.
   *
   * @param textJson `JSON.stringify(text)`, when the caller has already computed it
   * @param eventId as for {@link event}
   */
  delta(id: string, text: string, textJson: string = JSON.stringify(text), eventId?: number): void {
    if (this.closed) return;
    if (id !== this.deltaId) {
      this.deltaId = id;
      this.deltaIdJson = JSON.stringify(id);
    }
    this.queue(EVENT.delta, `{"id":${this.deltaIdJson},"text":${textJson}}`, eventId);
    if (!this.sentDelta) {
      this.sentDelta = true;
      this.flush();
    } else this.flushSoon();
  }

  /** Sends every held frame as one chunk. */
  flush(): void {
    if (this.flushTimer !== undefined) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (this.pending.length === 0) return;
    const frames = this.pending;
    this.pending = '';
    if (this.closed) return;
    this.sentSinceTick = true;
    try {
      this.controller.enqueue(encoder.encode(frames));
    } catch {
      // The stream errored underneath (the runtime tore the response down): the reply goes on without it.
      this.markClosed();
    }
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.markClosed();
    try {
      this.controller.close();
    } catch {
      // Already cancelled by the client.
    }
  }

  /** One timer per task that queued deltas, not one write per delta. */
  private flushSoon(): void {
    if (this.flushTimer === undefined) this.flushTimer = setTimeout(() => this.flush(), 0);
  }

  private queue(name: EventName, dataJson: string, eventId = this.nextId): void {
    if (this.closed) return;
    this.nextId = eventId + 1;
    this.pending += sseFrame(name, dataJson, eventId);
  }

  private markClosed(): void {
    this.closed = true;
    this.pending = '';
    clearInterval(this.pingTimer);
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }
}
