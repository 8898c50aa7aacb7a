// Row 3, with the conversation object: time to first token on a warm conversation, and on the first turn of a new
// one (a new object, whose conversation is read from KV once), against no persistence.
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { createChatWorker } from '../../../worker/create-chat-worker';
import type { ModelProvider } from '../../../worker/providers/model-provider';
import { median, ms, ratio, report } from '../figures';
import { baselineWorker } from '../support/baseline-worker';
import { countingKv } from '../support/counting-kv';
import { inProcess, type FetchHandler } from '../../../worker/testing/in-process';
import { pacedModel } from '../support/models';
import { untilEvent } from '../support/sse-events';
import { useBenchOptions } from './main';

const KV_LATENCY_MS = 30;
const FIRST_TOKEN_MS = 200;
const RUNS = 15;

const model = (): ModelProvider => pacedModel({ pieces: 5, firstTokenMs: FIRST_TOKEN_MS, realGapMs: 0 });

/** Request sent to first `delta` event parsed, in ms (workerd's clock, which moves with I/O and timers). */
async function timeToFirstToken(worker: FetchHandler<object>, sessionId: string, turn: number): Promise<number> {
  const host = inProcess(worker, {});
  const started = Date.now();
  const response = await host.fetch('http://bench/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId, message: { id: `${sessionId}-turn-${turn}`, content: `Question number ${turn}?` } }),
  });
  const first = await untilEvent(response.body ?? new ReadableStream(), 'delta');
  const elapsed = Date.now() - started;
  expect(first).toBeDefined();
  await host.settled();
  return elapsed;
}

it('time to first token: warm and cold conversation object vs no persistence', async () => {
  const kv = countingKv(env.CHAT_KV, { latencyMs: KV_LATENCY_MS }).kv;
  const objectModel = model();
  useBenchOptions({ kv, model: objectModel });
  const objectWorker = createChatWorker({ kv, model: objectModel, conversations: env.BENCH_CONVERSATIONS });
  const variants: Record<'warm' | 'cold' | 'none', { worker: FetchHandler<object>; session: (run: number) => string; times: number[] }> = {
    warm: { worker: objectWorker, session: () => 'bench-ttft-object-warm', times: [] },
    // A conversation of its own each run: a new object, its first turn.
    cold: { worker: objectWorker, session: (run) => `bench-ttft-object-cold-${run}`, times: [] },
    none: { worker: baselineWorker({ persistence: 'none', model: model() }), session: () => 'bench-ttft-object-none', times: [] },
  };
  // Interleaved; the first round warms up (and makes the warm conversation's object warm: listed once, then in memory).
  for (let run = 0; run <= RUNS; run++) {
    for (const variant of Object.values(variants)) {
      const elapsed = await timeToFirstToken(variant.worker, variant.session(run), run);
      if (run > 0) variant.times.push(elapsed);
    }
  }
  const warm = median(variants.warm.times);
  const cold = median(variants.cold.times);
  const none = median(variants.none.times);
  const method = `workerd, the Worker and its conversation object (SQLite-backed) with the real local KV behind a wrapper adding ${KV_LATENCY_MS} ms per call, a model with ${FIRST_TOKEN_MS} ms to first token; request to first \`delta\` parsed (workerd's clock), median of ${RUNS} interleaved runs after one warm-up round`;
  report({
    row: 3,
    order: 4,
    measure: 'Time to first token, warm conversation object vs no persistence',
    chatkeep: ms(warm),
    baseline: ms(none),
    baselineName: 'same model, no persistence',
    ratio: `${ratio(warm, none)} (+${((warm / none - 1) * 100).toFixed(1)}%)`,
    goal: 'within 5% (<= 1.05x)',
    met: warm <= none * 1.05,
    method,
  });
  report({
    row: 3,
    order: 5,
    measure: "Time to first token, a conversation's first turn (a new object: its conversation listed once) vs no persistence",
    chatkeep: ms(cold),
    baseline: ms(none),
    baselineName: 'same model, no persistence',
    ratio: `${ratio(cold, none)} (+${((cold / none - 1) * 100).toFixed(1)}%)`,
    goal: '—',
    met: null,
    method: `as above, interleaved with it; a new session id each run`,
  });
});
