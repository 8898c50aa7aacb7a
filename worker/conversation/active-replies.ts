import type { ChatMessage } from '../../sdk/protocol';

/**
 * How a reply was ended from outside: stopped by the user (with the record the stop route writes), or deleted with
 * its conversation.
 */
export type HaltReason = { kind: 'aborted'; record: ChatMessage } | { kind: 'deleted' };

/**
 * Replies being generated in this isolate, so `POST /chat/stop` and `DELETE /history` can halt one at once instead
 * of waiting for its next KV read. A stop handled by another isolate is still seen: the generation reads the record
 * before every write.
 *
 * `halt` only sets a flag. workerd forbids one request from touching another's I/O (aborting its fetch, awaiting
 * its promises), so the generation itself acts on the flag, in its own request.
 */
export interface ActiveReply {
  halt(reason: HaltReason): void;
  /** The reply's text as the model produced it so far: a stop may keep no more than this. */
  text(): string;
}

const active = new Map<string, ActiveReply>();

function keyOf(sessionId: string, messageId: string): string {
  return `${sessionId}:${messageId}`;
}

export function registerReply(sessionId: string, messageId: string, reply: ActiveReply): () => void {
  const key = keyOf(sessionId, messageId);
  active.set(key, reply);
  return () => {
    if (active.get(key) === reply) active.delete(key);
  };
}

export function activeReply(sessionId: string, messageId: string): ActiveReply | undefined {
  return active.get(keyOf(sessionId, messageId));
}

export function haltSession(sessionId: string): void {
  const prefix = `${sessionId}:`;
  for (const [key, reply] of active) if (key.startsWith(prefix)) reply.halt({ kind: 'deleted' });
}

/** A user turn this isolate is answering; see `claimTurn`. */
export interface TurnClaim {
  /** Keeps the turn claimed until `work` (the reply run, which outlives its response) settles. */
  holdUntil(work: Promise<unknown>): void;
  /** Gives the turn back now, or once the work passed to `holdUntil` settles. Later calls do nothing. */
  end(): void;
}

/** When to take a turn's claim, and when an unreleased one stops counting. */
export interface ClaimTiming {
  /** The clock now, in ms since the epoch. */
  nowMs: number;
  /**
   * A claim older than this is taken over. The runtime may cancel a reply's `waitUntil` work (about 30 s after its
   * client left), and then the claim is never given back; by then the reply's record in KV answers retries.
   */
  expireAfterMs: number;
}

const claimed = new Map<string, { atMs: number }>();

/**
 * Claims a user turn for one request, or answers `undefined` while another request in this isolate holds it.
 * The chat route takes it before its first KV read: two copies of one turn (a double click, a retry racing the
 * first try) would otherwise both find no reply and both call the model. KV has no compare-and-set, so copies that
 * land in different isolates can still both run.
 */
export function claimTurn(sessionId: string, userId: string, timing: ClaimTiming): TurnClaim | undefined {
  const key = keyOf(sessionId, userId);
  const current = claimed.get(key);
  if (current !== undefined && timing.nowMs - current.atMs < timing.expireAfterMs) return undefined;
  const token = { atMs: timing.nowMs };
  claimed.set(key, token);
  let held: Promise<unknown> | undefined;
  let ended = false;
  const free = () => {
    if (claimed.get(key) === token) claimed.delete(key);
  };
  return {
    holdUntil(work) {
      held = work;
    },
    end() {
      if (ended) return;
      ended = true;
      if (held === undefined) free();
      else void held.then(free, free);
    },
  };
}
