// Row 3, with the conversation object: time to first token on a warm conversation against no persistence.
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

it('time to first token: warm conversation object vs no persistence', async () => {
  const kv = countingKv(env.CHAT_KV, { latencyMs: KV_LATENCY_MS }).kv;
  const objectModel = model();
  useBenchOptions({ kv, model: objectModel });
  const variants: Record<'object' | 'none', { worker: FetchHandler<object>; times: number[] }> = {
    object: { worker: createChatWorker({ kv, model: objectModel, conversations: env.BENCH_CONVERSATIONS }), times: [] },
    none: { worker: baselineWorker({ persistence: 'none', model: model() }), times: [] },
  };
  // Interleaved; the first round warms up (and makes the object's conversation warm: listed once, then in memory).
  for (let run = 0; run <= RUNS; run++) {
    for (const [name, variant] of Object.entries(variants)) {
      const elapsed = await timeToFirstToken(variant.worker, `bench-ttft-object-${name}`, run);
      if (run > 0) variant.times.push(elapsed);
    }
  }
  const object = median(variants.object.times);
  const none = median(variants.none.times);
  report({
    row: 3,
    order: 4,
    measure: 'Time to first token, warm conversation object vs no persistence',
    chatkeep: ms(object),
    baseline: ms(none),
    baselineName: 'same model, no persistence',
    ratio: `${ratio(object, none)} (+${((object / none - 1) * 100).toFixed(1)}%)`,
    goal: 'within 5% (<= 1.05x)',
    met: object <= none * 1.05,
    method: `workerd, the Worker and its conversation object (SQLite-backed) with the real local KV behind a wrapper adding ${KV_LATENCY_MS} ms per call, a model with ${FIRST_TOKEN_MS} ms to first token; request to first \`delta\` parsed (workerd's clock), median of ${RUNS} interleaved runs after one warm-up turn`,
  });
});
