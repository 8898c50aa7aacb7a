import { applyEvents, isSettled, type ReplyEvent, type ReplyState } from './reply-stream';
import { readSSE } from './sse-reader';
import type { Timers } from './chat-client-options';

/** How a reply stream ended. */
export interface ReplyReadResult {
  state: ReplyState;
  /** No byte arrived for `stallTimeoutMs`: the connection was dropped on purpose. */
  stalled: boolean;
}

export interface ReplyReadOptions {
  timers: Timers;
  stallTimeoutMs: number;
  /** Aborts the request; called on a stall. */
  controller: AbortController;
  /** Called after each network read that changed the reply, so a read of many deltas shows once. */
  onProgress: (state: ReplyState) => void;
}

/**
 * Reads a reply stream (`POST /chat` or `GET /chat/stream`) to its end, folding each network read's events at once
 * with `applyEvents`. Resolves with the last state; a dropped connection or an abort resolves too, with what came before it.
 */
export async function readReply(
  body: ReadableStream<Uint8Array>,
  initial: ReplyState,
  { timers, stallTimeoutMs, controller, onProgress }: ReplyReadOptions,
): Promise<ReplyReadResult> {
  let state = initial;
  let stalled = false;
  let stallTimer: unknown;
  const watch = () => {
    timers.clearTimeout(stallTimer);
    stallTimer = timers.setTimeout(() => {
      stalled = true;
      controller.abort();
    }, stallTimeoutMs);
  };
  /** The events of the current network read, folded together once it has been parsed. */
  const batch: ReplyEvent[] = [];
  const afterRead = () => {
    const before = state;
    state = applyEvents(state, batch);
    batch.length = 0;
    if (state !== before) onProgress(state);
    // Events after the final one are never read: the stream has said its last word.
    if (isSettled(state)) return true;
    watch();
  };
  watch();
  try {
    await readSSE(body, (event) => batch.push(event), afterRead, controller.signal);
  } catch {
    // Aborted or cut: the events before the cut stand.
  } finally {
    timers.clearTimeout(stallTimer);
  }
  return { state, stalled };
}
