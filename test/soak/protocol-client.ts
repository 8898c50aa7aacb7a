/**
 * A client that speaks the wire protocol directly over `fetch`, as an outside client would: it sends a turn, reads
 * the SSE reply, can go away mid-reply, and recovers the way the protocol says (same message id again, or history).
 */
import type { EventSourceMessage } from 'eventsource-parser';
import { readSSE } from '../../sdk/sse-reader';
import { isFinalStatus, type ChatMessage } from '../../sdk/protocol';
import { serverHistory } from '../support/server-history';

/** What one HTTP request of the soak ended as, for the error rate. */
export type RequestOutcome =
  | 'ok'
  /** 409 `reply_in_progress`: expected right after a disconnect; the reply is then followed through history. */
  | 'in_progress'
  /** The client hung up on purpose. */
  | 'disconnected'
  /** The reply ended `error` / `interrupted` (its object was restarted) and the turn was sent again, as a user would. */
  | 'interrupted'
  | 'http_error'
  | 'network_error'
  /** A 200 stream that ended without `done`. */
  | 'stream_error';

export interface TurnResult {
  /** The final assistant record as the client learned it (from `done`, a replay, or history). */
  reply: ChatMessage | undefined;
  /** Every request this turn took. */
  requests: RequestOutcome[];
  /** Status codes of failed requests, for the report. */
  failures: string[];
  /** Every `done` record a stream of this turn carried. */
  dones: ChatMessage[];
  /** A `start` reached the client: the server acknowledged the user turn. */
  acknowledged: boolean;
  /** Ms from the first request until the client knew the final reply (`undefined`: it never did). */
  finalMs: number | undefined;
}

export interface SendOptions {
  origin: string;
  sessionId: string;
  messageId: string;
  content: string;
  /** Hang up after the first `delta`, then recover. */
  disconnect: boolean;
  /** Give up after this many attempts of one request. */
  maxAttempts?: number;
  /** Send the turn again when its reply ends `interrupted` (a restart cut it): the server runs it anew. */
  retryInterrupted?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Full jitter, from 100 ms, capped at 2 s: as the SDK backs off, shorter because the run is bounded. */
const backoff = (attempt: number) => Math.random() * Math.min(2_000, 100 * 2 ** attempt);

type StreamEnd = { kind: 'done' | 'error'; message: ChatMessage; started: boolean } | { kind: 'cut'; started: boolean };

async function readReply(response: Response, disconnect: boolean, controller: AbortController): Promise<StreamEnd> {
  let end: StreamEnd = { kind: 'cut', started: false };
  let started = false;
  let sawDelta = false;
  const onEvent = (event: EventSourceMessage) => {
    if (event.event === 'start') started = true;
    if (event.event === 'delta' && disconnect && !sawDelta) {
      sawDelta = true;
      controller.abort(new Error('client went away'));
    }
    if (event.event === 'done' || event.event === 'error') {
      end = { kind: event.event, message: (JSON.parse(event.data) as { message: ChatMessage }).message, started };
    }
  };
  try {
    await readSSE(response.body!, onEvent);
  } catch {
    // The abort above, or the connection dropping: the reply is recovered from the server.
  }
  return end.kind === 'cut' ? { kind: 'cut', started } : end;
}

/** Sends one user turn and returns its final reply, recovering from a disconnect (deliberate or not). */
export async function sendTurn(options: SendOptions): Promise<TurnResult> {
  const maxAttempts = options.maxAttempts ?? 8;
  const result: TurnResult = { reply: undefined, requests: [], failures: [], dones: [], acknowledged: false, finalMs: undefined };
  const startedMs = Date.now();
  const settle = (reply: ChatMessage | undefined): TurnResult => {
    result.reply = reply;
    if (reply !== undefined && isFinalStatus(reply.status)) result.finalMs = Date.now() - startedMs;
    return result;
  };
  let disconnect = options.disconnect;
  const body = JSON.stringify({ sessionId: options.sessionId, message: { id: options.messageId, content: options.content } });

  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const controller = new AbortController();
    let response: Response;
    try {
      response = await fetch(`${options.origin}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: controller.signal,
      });
    } catch (error) {
      result.requests.push('network_error');
      result.failures.push(`network: ${String(error)}`);
      await sleep(backoff(attempt));
      continue;
    }
    if (response.status === 409) {
      const code = ((await response.json()) as { error: { code: string } }).error.code;
      if (code !== 'reply_in_progress') {
        result.requests.push('http_error');
        result.failures.push(`409 ${code}`);
        return result;
      }
      result.requests.push('in_progress');
      return settle(await followInHistory(options, result));
    }
    if (response.status !== 200) {
      const text = await response.text();
      result.requests.push('http_error');
      result.failures.push(`${response.status} ${text.slice(0, 120)}`);
      if (response.status < 500 && response.status !== 429 && response.status !== 408) return result;
      await sleep(Number(response.headers.get('retry-after') ?? 0) * 1000 || backoff(attempt));
      continue;
    }
    const end = await readReply(response, disconnect, controller);
    if (end.started) result.acknowledged = true;
    if (end.kind === 'done') result.dones.push(end.message);
    if (end.kind === 'error' && end.message.error?.code === 'interrupted' && options.retryInterrupted) {
      result.requests.push('interrupted');
      continue;
    }
    if (end.kind !== 'cut') {
      result.requests.push(end.kind === 'done' ? 'ok' : 'stream_error');
      if (end.kind === 'error') result.failures.push(`stream error: ${end.message.error?.code ?? '?'}`);
      return settle(end.message);
    }
    result.requests.push(disconnect ? 'disconnected' : 'stream_error');
    if (!disconnect) result.failures.push('stream cut before done');
    disconnect = false;
    // Back at once with the same id: the server must answer with the one reply it is writing or has written.
  }
  return result;
}

/** Polls history (with backoff) until the reply to `messageId` is final. */
async function followInHistory(options: SendOptions, result: TurnResult): Promise<ChatMessage | undefined> {
  for (let attempt = 0; attempt < 40; attempt++) {
    await sleep(Math.min(1_000, 50 * 2 ** attempt));
    try {
      const history = await serverHistory(options.origin, options.sessionId);
      result.requests.push('ok');
      const reply = history.find((m) => m.role === 'assistant' && m.replyTo === options.messageId);
      if (reply !== undefined && isFinalStatus(reply.status)) return reply;
    } catch (error) {
      result.requests.push('network_error');
      result.failures.push(`history: ${String(error)}`);
    }
  }
  return undefined;
}
