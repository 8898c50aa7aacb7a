/**
 * Models for benchmarks: they stand in for an LLM's timing (time to first token, pace, length), never for a
 * provider's code, which runs for real where a row needs it (the OpenAI-compatible one in the CPU row).
 */
import type { ModelProvider } from '../../../worker/providers/model-provider';

/** A clock the bench moves by hand, so a 30-second reply takes a moment of real time. */
export interface ManualClock {
  now: () => number;
  advance(ms: number): void;
}

export function manualClock(startMs = Date.now()): ManualClock {
  let at = startMs;
  return {
    now: () => at,
    advance(ms) {
      at += ms;
    },
  };
}

export interface PacedModelOptions {
  /** Pieces in the reply. */
  pieces: number;
  /** Real wait before the first piece, in ms. @defaultValue 0 */
  firstTokenMs?: number;
  /** Real wait between pieces, in ms (0: a macrotask turn only). @defaultValue 0 */
  realGapMs?: number;
  /** Moved by `clockStepMs` before each piece, so the Worker sees the reply take that long. */
  clock?: ManualClock;
  /** @defaultValue 0 */
  clockStepMs?: number;
  /** The text of piece `i`. @defaultValue `' word' + i` */
  piece?: (i: number) => string;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * @example
 * ```ts
 * pacedModel({ pieces: 300, clock, clockStepMs: 100 }); // a 30-second reply on the Worker's clock
 * ```
 */
export function pacedModel(options: PacedModelOptions): ModelProvider {
  const piece = options.piece ?? ((i: number) => ` word${i}`);
  return {
    name: 'paced',
    async *stream({ signal }) {
      if ((options.firstTokenMs ?? 0) > 0) await wait(options.firstTokenMs ?? 0);
      for (let i = 0; i < options.pieces; i++) {
        if (signal.aborted) return;
        if (i > 0 && options.realGapMs !== undefined) await wait(options.realGapMs);
        options.clock?.advance(options.clockStepMs ?? 0);
        yield piece(i);
      }
    },
  };
}
