/**
 * `npm run soak -- --faults`: the soak against a Worker whose store and runtime fail under it (faults/worker/fault-worker.ts
 * in `wrangler dev`, loopback only). A share of KV puts fail, a share of replies have their conversation object
 * aborted part-way, and a share of clients cut their stream after the first delta and send the turn again. Nothing
 * acknowledged may be lost, nothing doubled, every reply must be final within a minute, and every `done` a client
 * got must be in history as it was sent. Prints its figures in one line.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isFinalStatus, type ChatMessage } from '../../../sdk/protocol';
import { serverHistory } from '../../support/server-history';
import { startWorker, type RunningWorker } from '../../support/wrangler-dev';
import { pool } from '../pool';
import { sendTurn } from '../protocol-client';
import { setting } from '../setting';
import { tally } from '../tally';
import { ABORT_AT_END_CUE, ABORT_CUE, FAULTS_PATH, type InjectedFaults } from './worker/cues';
import { faultTally, type FaultTurn } from './fault-tally';

const CONVERSATIONS = setting('SOAK_CONVERSATIONS', 500);
const TURNS = setting('SOAK_TURNS', 20);
const CONCURRENCY = setting('SOAK_CONCURRENCY', 50);
const CUT_RATE = setting('SOAK_DISCONNECT_RATE', 0.1);
const KV_PUT_FAILURE_RATE = setting('SOAK_KV_PUT_FAILURE_RATE', 0.05);
const ABORT_RATE = setting('SOAK_ABORT_RATE', 0.01);
const DEMO_DELAY_MS = setting('SOAK_DEMO_DELAY_MS', 5);
const SEED = setting('SOAK_SEED', 18);
/** Every reply must be final, as its client knows it and in history, this soon after its turn was first sent. */
const FINAL_WITHIN_MS = 60_000;

let worker: RunningWorker;

beforeAll(async () => {
  worker = await startWorker({
    config: 'test/soak/faults/worker/wrangler.jsonc',
    verbose: process.env.SOAK_VERBOSE === '1',
    inspector: false,
    vars: { DEMO_DELAY_MS: String(DEMO_DELAY_MS), SOAK_KV_PUT_FAILURE_RATE: String(KV_PUT_FAILURE_RATE) },
  });
});

afterAll(async () => {
  await worker?.stop();
});

/** mulberry32: the same seed picks the same turns to cut and to abort, run after run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface TurnPlan {
  cut: boolean;
  abort: FaultTurn['abort'];
}

const next = random(SEED);
const plans: TurnPlan[][] = Array.from({ length: CONVERSATIONS }, () =>
  Array.from({ length: TURNS }, () => {
    // One abort in four falls as `done` leaves, the reply's final record written: the client must get that record.
    const abort = next() < ABORT_RATE ? (next() < 0.25 ? 'at-end' : 'mid-reply') : undefined;
    // A turn whose object is aborted keeps its stream: the client sees the restart end it, and sends the turn again.
    return { abort, cut: abort === undefined && next() < CUT_RATE };
  }),
);

const RUN = Date.now().toString(36);

async function conversation(index: number): Promise<FaultTurn[]> {
  const sessionId = `faults-${RUN}-${index.toString().padStart(4, '0')}-${crypto.randomUUID()}`;
  const turns: FaultTurn[] = [];
  for (const [t, plan] of (plans[index] ?? []).entries()) {
    const messageId = `${crypto.randomUUID()}-t${t}`;
    const cue = plan.abort === 'mid-reply' ? ` ${ABORT_CUE}` : plan.abort === 'at-end' ? ` ${ABORT_AT_END_CUE}` : '';
    const content = `Conversation ${index}, turn ${t}: ${crypto.randomUUID()}${cue}`;
    const result = await sendTurn({ origin: worker.origin, sessionId, messageId, content, disconnect: plan.cut, retryInterrupted: true });
    turns.push({ sessionId, messageId, content, disconnected: plan.cut, abort: plan.abort, ...result });
  }
  return turns;
}

/** Reads a history until every reply in it is final, or the deadline: owed records reach KV under an alarm. */
async function settledHistory(sessionId: string, deadlineMs: number): Promise<ChatMessage[]> {
  for (;;) {
    const history = await serverHistory(worker.origin, sessionId);
    const users = history.filter((m) => m.role === 'user').length;
    const finals = history.filter((m) => m.role === 'assistant' && isFinalStatus(m.status)).length;
    if ((users === TURNS && finals === TURNS) || Date.now() > deadlineMs) return history;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** `503 storage_unavailable x12, stream error: interrupted x1`: failed requests grouped by status and error code. */
function failureKinds(failures: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const failure of failures) {
    const code = /"code":"(\w+)"/.exec(failure)?.[1];
    const kind = code === undefined ? failure.slice(0, 60) : `${failure.split(' ')[0]} ${code}`;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, count]) => `${kind} x${count}`).join(', ');
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const percent = (part: number, whole: number) => `${whole === 0 ? '0.0' : ((part / whole) * 100).toFixed(1)}%`;

it(`${CONVERSATIONS} conversations x ${TURNS} turns, ${CONCURRENCY} at a time, under KV, object and client faults: nothing acknowledged lost, nothing doubled`, async () => {
  const started = Date.now();
  const sent = (await pool(CONVERSATIONS, CONCURRENCY, conversation)).flat();
  const sendMs = Date.now() - started;

  const sessions = [...new Set(sent.map((t) => t.sessionId))];
  const deadline = Date.now() + FINAL_WITHIN_MS;
  const histories = new Map<string, ChatMessage[]>(
    await pool(sessions.length, CONCURRENCY, async (i) => [sessions[i]!, await settledHistory(sessions[i]!, deadline)] as const),
  );
  const injected = (await (await fetch(new URL(FAULTS_PATH, worker.origin))).json()) as InjectedFaults;
  const figures = tally(sent, histories);
  const faults = faultTally(sent, histories, FINAL_WITHIN_MS);
  const planned = {
    cut: sent.filter((t) => t.disconnected).length,
    aborted: sent.filter((t) => t.abort !== undefined).length,
    abortedAtEnd: sent.filter((t) => t.abort === 'at-end').length,
  };

  console.log(
    [
      `fault soak: ${figures.turnsSent} turns in ${figures.conversations} conversations, ${CONCURRENCY} at a time, sent in ${seconds(sendMs)} (wrangler dev, DEMO_DELAY_MS=${DEMO_DELAY_MS})`,
      `injected: ${injected.kvPutsFailed} of ${injected.kvPuts} KV puts failed (${percent(injected.kvPutsFailed, injected.kvPuts)}), ${injected.objectsAborted} objects aborted (${injected.objectsAbortedAtEnd} of them as done left), ${planned.cut} streams cut`,
      `acknowledged turns lost ${faults.acknowledgedLost}, turns lost ${figures.lost}, doubled ${figures.duplicates}, strangers ${figures.strangers}, done not in history ${faults.donesMissing}, text mismatch ${figures.mismatched}`,
      `not final ${faults.notFinal}, slowest final ${seconds(faults.slowestFinalMs)} (${faults.late} over ${seconds(FINAL_WITHIN_MS)}), ${faults.retriedAfterInterrupt} sent again after interrupted, ${faults.endedShownInterrupted} ended replies shown interrupted`,
      `requests ${figures.requests}, failed ${figures.failedRequests} (${percent(figures.failedRequests, figures.requests)})`,
      `failures by kind: ${failureKinds(sent.flatMap((t) => t.failures)) || 'none'}`,
    ].join(' | '),
  );

  expect(figures.turnsSent).toBe(CONVERSATIONS * TURNS);
  // The faults happened as asked: a soak whose injection broke proves nothing.
  if (KV_PUT_FAILURE_RATE > 0) expect(injected.kvPutsFailed).toBeGreaterThan(0);
  expect(injected.objectsAborted).toBe(planned.aborted);
  expect(injected.objectsAbortedAtEnd).toBe(planned.abortedAtEnd);
  expect({
    acknowledgedLost: faults.acknowledgedLost,
    lost: figures.lost,
    doubled: figures.duplicates,
    strangers: figures.strangers,
    donesMissing: faults.donesMissing,
    mismatched: figures.mismatched,
    notFinal: faults.notFinal,
    late: faults.late,
    endedShownInterrupted: faults.endedShownInterrupted,
  }).toEqual({ acknowledgedLost: 0, lost: 0, doubled: 0, strangers: 0, donesMissing: 0, mismatched: 0, notFinal: 0, late: 0, endedShownInterrupted: 0 });
});
