import { ModelError } from './providers/model-provider';

/** Options for {@link idleWatchdog}. */
export interface IdleWatchdogOptions {
  /** Silence longer than this ends the wait with a `model_timeout` {@link ModelError}. */
  timeoutMs: number;
  /** Runs once, when the silence limit is reached, before the guarded wait rejects (it aborts the model request). */
  onTimeout: (error: ModelError) => void;
  /**
   * A monotonic clock in ms; only differences are used.
   * @defaultValue `performance.now`
   */
  clock?: () => number;
  /**
   * The timer functions.
   * @defaultValue the global `setTimeout` and `clearTimeout`
   */
  timers?: WatchdogTimers;
}

export interface WatchdogTimers {
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

export interface IdleWatchdog {
  /** Marks activity: silence is measured from the latest call. */
  touch(): void;
  /** `promise`, or a rejection with the timeout error if the silence limit is reached before it settles. */
  guard<T>(promise: Promise<T>): Promise<T>;
  /** Disarms the timer; call when the model is no longer read. */
  stop(): void;
}

const defaultTimers: WatchdogTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Cuts off a model that falls silent, with one timer for the whole reply rather than one per piece: each piece only
 * records the time, and the timer, when it fires early, re-arms itself for the silence still allowed. A reply of
 * 1,000 pieces then costs a handful of timer operations instead of 2,000.
 *
 * @example
 * ```ts
 * const watchdog = idleWatchdog({ timeoutMs: 30_000, onTimeout: (error) => controller.abort(error) });
 * for (let r = await watchdog.guard(it.next()); !r.done; r = await watchdog.guard(it.next())) watchdog.touch();
 * watchdog.stop();
 * ```
 */
export function idleWatchdog(options: IdleWatchdogOptions): IdleWatchdog {
  const clock = options.clock ?? (() => performance.now());
  const timers = options.timers ?? defaultTimers;
  const { timeoutMs } = options;
  let lastActivity = clock();
  let expired: ModelError | undefined;
  let stopped = false;
  let rejectWaiting: ((error: ModelError) => void) | undefined;
  let handle: unknown;

  const check = () => {
    if (stopped) return;
    const idle = clock() - lastActivity;
    if (idle < timeoutMs) {
      handle = timers.setTimeout(check, timeoutMs - idle);
      return;
    }
    expired = new ModelError('model_timeout', `The model sent nothing for ${timeoutMs} ms`);
    options.onTimeout(expired);
    rejectWaiting?.(expired);
  };
  handle = timers.setTimeout(check, timeoutMs);

  return {
    touch() {
      lastActivity = clock();
    },
    guard<T>(promise: Promise<T>): Promise<T> {
      if (expired !== undefined) {
        // Nobody will wait for it any more; its late settling must not surface as an unhandled rejection.
        promise.catch(() => undefined);
        return Promise.reject(expired);
      }
      return new Promise<T>((resolve, reject) => {
        rejectWaiting = reject;
        // After a timeout this settles an already-rejected promise: a no-op, and never unhandled.
        promise.then(resolve, reject);
      });
    },
    stop() {
      stopped = true;
      rejectWaiting = undefined;
      timers.clearTimeout(handle);
    },
  };
}
