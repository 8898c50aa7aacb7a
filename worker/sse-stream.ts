import type { EventDataMap, EventName } from '../sdk/protocol';

/** Options for {@link SseStream}. */
export interface SseStreamOptions {
  /** A `: ping` comment is sent when nothing else was sent for this long. */
  pingIntervalMs: number;
}

const encoder = new TextEncoder();

/**
 * The response side of `POST /chat`: frames events with an increasing `id:` and keeps an idle stream open with
 * `: ping` comments. Writes are never awaited and never throw: once the client has gone, everything written is
 * dropped, because the reply must go on being generated and persisted without it.
 */
export class SseStream {
  readonly readable: ReadableStream<Uint8Array>;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private nextId = 1;
  private closed = false;
  private sentSinceTick = false;
  private readonly pingTimer: ReturnType<typeof setInterval>;

  constructor(options: SseStreamOptions) {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    this.readable = readable;
    this.writer = writable.getWriter();
    this.writer.closed.catch(() => this.markClosed());
    this.pingTimer = setInterval(() => {
      if (!this.sentSinceTick) this.write(': ping\n\n');
      this.sentSinceTick = false;
    }, options.pingIntervalMs);
  }

  /** `false` once the stream was closed or the client went away. */
  get open(): boolean {
    return !this.closed;
  }

  event<N extends EventName>(name: N, data: EventDataMap[N]): void {
    this.write(`id: ${this.nextId++}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  close(): void {
    if (this.closed) return;
    this.markClosed();
    this.writer.close().catch(() => undefined);
  }

  private markClosed(): void {
    this.closed = true;
    clearInterval(this.pingTimer);
  }

  private write(frame: string): void {
    if (this.closed) return;
    this.sentSinceTick = true;
    // A rejected write means the client disconnected; generation carries on regardless.
    this.writer.write(encoder.encode(frame)).catch(() => this.markClosed());
  }
}
