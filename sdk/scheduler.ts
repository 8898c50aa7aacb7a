import type { Timers } from './chat-client-options';

/** Timers that all end with the client: after `cancelAll()` nothing scheduled runs, and every sleeper wakes. */
export interface Scheduler {
  /** Runs `job` after `delayMs` unless everything is cancelled first (then `onCancel` runs instead). */
  later(delayMs: number, job: () => void, onCancel?: () => void): unknown;
  /** Resolves after `delayMs`, or at once when everything is cancelled. */
  sleep(delayMs: number): Promise<void>;
  cancelAll(): void;
}

export function createScheduler(timers: Timers): Scheduler {
  const pending = new Map<unknown, () => void>();
  const later = (delayMs: number, job: () => void, onCancel = () => {}) => {
    const handle = timers.setTimeout(() => {
      pending.delete(handle);
      job();
    }, delayMs);
    pending.set(handle, onCancel);
    return handle;
  };
  return {
    later,
    sleep: (delayMs) => new Promise<void>((resolve) => void later(delayMs, resolve, resolve)),
    cancelAll() {
      for (const [handle, onCancel] of pending) {
        timers.clearTimeout(handle);
        onCancel();
      }
      pending.clear();
    },
  };
}
