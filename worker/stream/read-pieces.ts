import { ModelError } from '../providers/model-provider';

/** Options for {@link readPieces}. */
export interface ReadPiecesOptions<P = string> {
  /** Called with each piece, in order; returning `false` stops reading (the promise then resolves). */
  onPiece: (piece: P) => boolean;
  /** A model silent for longer than this is cut off with a `model_timeout` {@link ModelError}. */
  timeoutMs: number;
  /** Runs once, when the silence limit is reached, before the promise rejects (it aborts the model request). */
  onTimeout: (error: ModelError) => void;
  /**
   * `true` while the model waits on something else (a tool of the reply running): that time is not its silence,
   * which is counted again from the next piece.
   * @defaultValue never waiting
   */
  waiting?: () => boolean;
  /**
   * A clock in ms; only differences are used.
   * @defaultValue `Date.now`
   */
  clock?: () => number;
  /**
   * The timer functions.
   * @defaultValue the global `setTimeout` and `clearTimeout`
   */
  timers?: PieceTimers;
}

export interface PieceTimers {
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

const globalTimers: PieceTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Reads a model's pieces to the end. Resolves when the model ends or `onPiece` says stop; rejects with what the
 * model threw, or with a `model_timeout` {@link ModelError} when it falls silent — even if it ignores the abort —
 * for longer than `timeoutMs` while it is not `waiting`.
 *
 * Runs once per piece of every reply, so it costs little per piece: each result is taken with one `then` (no
 * `await` of a wrapper promise), and silence is watched by one timer for the whole reply — each piece only notes
 * the time, and the timer, when it fires early, re-arms itself for the silence still allowed — rather than a timer
 * set and cleared per piece.
 *
 * @example
 * ```ts
 * await readPieces(model.stream({ messages, signal })[Symbol.asyncIterator](), {
 *   onPiece: (piece) => (text += piece, true),
 *   timeoutMs: 30_000,
 *   onTimeout: (error) => controller.abort(error),
 * });
 * ```
 */
export function readPieces<P = string>(iterator: AsyncIterator<P>, options: ReadPiecesOptions<P>): Promise<void> {
  const { onPiece, timeoutMs } = options;
  const clock = options.clock ?? Date.now;
  const timers = options.timers ?? globalTimers;
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let lastPieceAt = clock();
    let timer: unknown;

    const end = () => {
      settled = true;
      timers.clearTimeout(timer);
    };
    const fail = (error: unknown) => {
      if (settled) return;
      end();
      reject(error);
    };
    const watch = () => {
      if (settled) return;
      if (options.waiting?.() === true) {
        lastPieceAt = clock();
        timer = timers.setTimeout(watch, timeoutMs);
        return;
      }
      const silentMs = clock() - lastPieceAt;
      if (silentMs < timeoutMs) {
        timer = timers.setTimeout(watch, timeoutMs - silentMs);
        return;
      }
      const error = new ModelError('model_timeout', `The model sent nothing for ${timeoutMs} ms`);
      options.onTimeout(error);
      fail(error);
    };
    // After a timeout the pending result still arrives here (or in `fail`), where it is dropped: never unhandled.
    const take = (result: IteratorResult<P>) => {
      if (settled) return;
      if (result.done === true) {
        end();
        resolve();
        return;
      }
      lastPieceAt = clock();
      try {
        if (!onPiece(result.value)) {
          end();
          resolve();
          return;
        }
        iterator.next().then(take, fail);
      } catch (error) {
        fail(error);
      }
    };

    timer = timers.setTimeout(watch, timeoutMs);
    try {
      iterator.next().then(take, fail);
    } catch (error) {
      fail(error);
    }
  });
}
