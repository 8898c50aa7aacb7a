import { applyEvent, isSettled, type ReplyState } from './reply-stream';
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
 * Reads a reply stream (`POST /chat` or `GET /chat/stream`) to its end, folding its events with `applyEvent`.
 * Resolves with the last state; a dropped connection or an abort resolves too, with what came before it.
 */
export async function readReply(
  body: ReadableStream<Uint8Array>,
  initial: ReplyState,
  { timers, stallTimeoutMs, controller, onProgress }: ReplyReadOptions,
): Promise<ReplyReadResult> {
  let state = initial;
  let shown = initial;
  let stalled = false;
  let stallTimer: unknown;
  const watch = () => {
    timers.clearTimeout(stallTimer);
    stallTimer = timers.setTimeout(() => {
      stalled = true;
      controller.abort();
    }, stallTimeoutMs);
  };
  const afterRead = () => {
    if (state !== shown) onProgress((shown = state));
    // Events after the final one are never read: the stream has said its last word.
    if (isSettled(state)) return true;
    watch();
  };
  watch();
  try {
    await readSSE(body, (event) => (state = applyEvent(state, event)), afterRead, controller.signal);
  } catch {
    // Aborted or cut: the events before the cut stand.
  } finally {
    timers.clearTimeout(stallTimer);
  }
  if (state !== shown) onProgress(state);
  return { state, stalled };
}
