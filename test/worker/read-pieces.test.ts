import { describe, expect, it } from 'vitest';
import { ModelError } from '../../worker/providers/model-provider';
import { readPieces, type PieceTimers } from '../../worker/stream/read-pieces';

/** Timers and a clock the test moves by hand: `advance` fires what falls due, in order. */
function manualTime(): { clock: () => number; timers: PieceTimers; advance(ms: number): void; armed(): number } {
  let now = 0;
  let nextHandle = 1;
  const due = new Map<number, { at: number; callback: () => void }>();
  return {
    clock: () => now,
    timers: {
      setTimeout: (callback, ms) => {
        const handle = nextHandle++;
        due.set(handle, { at: now + ms, callback });
        return handle;
      },
      clearTimeout: (handle) => {
        due.delete(handle as number);
      },
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const next = [...due.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (next === undefined) break;
        due.delete(next[0]);
        now = next[1].at;
        next[1].callback();
      }
      now = until;
    },
    armed: () => due.size,
  };
}

/** An iterator whose pieces the test hands out one by one. */
function controlled(): { iterator: AsyncIterator<string>; push(piece: string): void; end(): void; fail(error: unknown): void } {
  const waiting: { resolve: (r: IteratorResult<string>) => void; reject: (e: unknown) => void }[] = [];
  const settle = (f: (w: (typeof waiting)[number]) => void) => {
    const w = waiting.shift();
    if (w === undefined) throw new Error('nobody is waiting for a piece');
    f(w);
  };
  return {
    iterator: { next: () => new Promise((resolve, reject) => waiting.push({ resolve, reject })) },
    push: (piece) => settle((w) => w.resolve({ done: false, value: piece })),
    end: () => settle((w) => w.resolve({ done: true, value: undefined })),
    fail: (error) => settle((w) => w.reject(error)),
  };
}

const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('readPieces', () => {
  it('hands every piece over in order and resolves at the end', async () => {
    async function* model() {
      yield 'a';
      yield '';
      yield 'b';
    }
    const seen: string[] = [];
    await readPieces(model(), { onPiece: (p) => (seen.push(p), true), timeoutMs: 1000, onTimeout: () => {} });
    expect(seen).toEqual(['a', '', 'b']);
  });

  it('stops reading when onPiece says so', async () => {
    let pulled = 0;
    async function* model() {
      for (;;) {
        pulled++;
        yield 'x';
      }
    }
    const seen: string[] = [];
    await readPieces(model(), { onPiece: (p) => seen.push(p) < 3, timeoutMs: 1000, onTimeout: () => {} });
    expect(seen).toHaveLength(3);
    expect(pulled).toBe(3);
  });

  it('rejects with what the model threw, and with what onPiece threw', async () => {
    const boom = new ModelError('model_error', 'boom');
    async function* failing() {
      yield 'a';
      throw boom;
    }
    await expect(readPieces(failing(), { onPiece: () => true, timeoutMs: 1000, onTimeout: () => {} })).rejects.toBe(boom);
    const thrown = new Error('consumer');
    async function* one() {
      yield 'a';
    }
    await expect(
      readPieces(one(), {
        onPiece: () => {
          throw thrown;
        },
        timeoutMs: 1000,
        onTimeout: () => {},
      }),
    ).rejects.toBe(thrown);
  });

  it('cuts off a model silent for timeoutMs since its last piece, even one that ignores the abort', async () => {
    const time = manualTime();
    const model = controlled();
    const timeouts: ModelError[] = [];
    let outcome: unknown;
    const reading = readPieces(model.iterator, {
      onPiece: () => true,
      timeoutMs: 100,
      onTimeout: (error) => timeouts.push(error),
      clock: time.clock,
      timers: time.timers,
    }).catch((error: unknown) => (outcome = error));

    // Pieces keep coming: 60 ms apart, the first timer (due at 100) finds 40 ms of silence and re-arms for 60 more.
    time.advance(60);
    model.push('a');
    await flush();
    time.advance(60);
    expect(timeouts).toHaveLength(0);
    model.push('b');
    await flush();
    time.advance(99);
    expect(timeouts).toHaveLength(0);
    time.advance(1);
    await reading;
    expect(timeouts).toHaveLength(1);
    expect(outcome).toBe(timeouts[0]);
    expect((outcome as ModelError).code).toBe('model_timeout');
    // The late piece of a model that ignored the abort is dropped, not handed over or left unhandled.
    model.push('late');
    await flush();
    expect(time.armed()).toBe(0);
  });

  it('does not count the time the model waits on a tool, and counts its silence again from the next piece', async () => {
    const time = manualTime();
    const model = controlled();
    let toolRunning = false;
    const timeouts: ModelError[] = [];
    const reading = readPieces(model.iterator, {
      onPiece: () => true,
      timeoutMs: 100,
      onTimeout: (error) => timeouts.push(error),
      waiting: () => toolRunning,
      clock: time.clock,
      timers: time.timers,
    }).catch(() => undefined);

    model.push('call');
    toolRunning = true;
    await flush();
    // The tool runs ten times the model's limit: no timeout.
    time.advance(1000);
    expect(timeouts).toHaveLength(0);
    model.push('result');
    toolRunning = false;
    await flush();
    time.advance(99);
    expect(timeouts).toHaveLength(0);
    time.advance(1);
    await reading;
    expect(timeouts).toHaveLength(1);
  });

  it('uses one timer for the whole reply, not one per piece', async () => {
    const time = manualTime();
    let set = 0;
    const timers: PieceTimers = {
      setTimeout: (callback, ms) => (set++, time.timers.setTimeout(callback, ms)),
      clearTimeout: time.timers.clearTimeout,
    };
    async function* model() {
      for (let i = 0; i < 500; i++) yield `w${i}`;
    }
    let count = 0;
    await readPieces(model(), { onPiece: () => ++count > 0, timeoutMs: 100, onTimeout: () => {}, clock: time.clock, timers });
    expect(count).toBe(500);
    expect(set).toBe(1);
    expect(time.armed()).toBe(0);
  });
});
