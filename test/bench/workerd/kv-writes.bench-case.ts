// Row 2: KV writes per exchange, chatkeep against the seed pattern (write the user turn, then the reply).
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { CHECKPOINT_INTERVAL_MS } from '../../../sdk/protocol';
import type { ModelProvider } from '../../../worker/providers/model-provider';
import { plural, report } from '../figures';
import { baselineWorker } from '../support/baseline-worker';
import { countingKv, type CountingKv } from '../support/counting-kv';
import { inProcess, type InProcessWorker } from '../../../worker/testing/in-process';
import { chatHost } from '../support/chat-host';
import { manualClock, pacedModel, type ManualClock } from '../support/models';
import { readEvents } from '../support/sse-events';

/** One exchange through `host`; the counts include the writes made after the response, under waitUntil. */
async function exchange(host: InProcessWorker, sessionId: string, content: string): Promise<void> {
  const response = await host.fetch('http://bench/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId, message: { id: `${sessionId}-u1`, content } }),
  });
  expect(response.status).toBe(200);
  const events = await readEvents(response.body ?? new ReadableStream());
  await host.settled();
  expect(events.at(-1)?.event).toBe('done');
}

interface Measured {
  chatkeep: CountingKv;
  seed: CountingKv;
}

async function measure(
  label: string,
  model: (clock: ManualClock) => ModelProvider,
  checkpointIntervalMs: number,
): Promise<Measured> {
  const chatkeepClock = manualClock();
  const chatkeep = countingKv(env.CHAT_KV);
  await exchange(
    chatHost({ kv: chatkeep.kv, model: model(chatkeepClock), now: chatkeepClock.now, checkpointIntervalMs }),
    `bench-writes-${label}-ck`,
    'How long is a reply?',
  );
  const seed = countingKv(env.CHAT_KV);
  await exchange(
    inProcess(baselineWorker({ persistence: 'write-then-stream', kv: seed.kv, model: model(manualClock()) }), {}),
    `bench-writes-${label}-seed`,
    'How long is a reply?',
  );
  return { chatkeep, seed };
}

const METHOD =
  'workerd + real local KV behind a counting KVNamespace; one POST /api/chat read to `done`, waitUntil work awaited; puts counted';

it('short reply (under one checkpoint interval)', async () => {
  // 60 pieces over 0.6 s of Worker clock: shorter than one checkpoint interval.
  const { chatkeep, seed } = await measure('short', (clock) => pacedModel({ pieces: 60, clock, clockStepMs: 10 }), CHECKPOINT_INTERVAL_MS);
  report({
    row: 2,
    order: 1,
    measure: 'KV writes per exchange, short reply (0.6 s, 60 deltas)',
    chatkeep: `${plural(chatkeep.counts.put, 'write')} (+${chatkeep.counts.list} list, ${chatkeep.counts.get} get)`,
    baseline: plural(seed.counts.put, 'write'),
    baselineName: 'seed pattern: user put, then reply put',
    ratio: `${chatkeep.counts.put - seed.counts.put >= 0 ? '+' : ''}${chatkeep.counts.put - seed.counts.put} write`,
    goal: '<= 3 writes',
    met: chatkeep.counts.put <= 3,
    method: `${METHOD}; a model of 60 pieces moving the Worker's clock (now option) 10 ms each`,
  });
});

const LONG_INTERVALS = [CHECKPOINT_INTERVAL_MS, 5_000, 10_000];
for (const [index, interval] of LONG_INTERVALS.entries()) {
  it(`30 s reply, checkpointIntervalMs ${interval}`, async () => {
    // 300 pieces, 100 ms apart on the Worker's clock (a real 2 ms gap lets each checkpoint's put finish).
    const { chatkeep, seed } = await measure(
      `long-${interval}`,
      (clock) => pacedModel({ pieces: 300, clock, clockStepMs: 100, realGapMs: 2 }),
      interval,
    );
    // The user turn, the `streaming` placeholder, the final record: checkpoints stay in the conversation object.
    const bound = 3;
    report({
      row: 2,
      order: 2 + index,
      measure: `KV writes per exchange, 30 s reply (300 deltas), checkpointIntervalMs = ${interval.toLocaleString('en')}`,
      chatkeep: `${plural(chatkeep.counts.put, 'write')} (+${chatkeep.counts.list} list, ${chatkeep.counts.get} get)`,
      baseline: plural(seed.counts.put, 'write'),
      baselineName: 'seed pattern: user put, then reply put (nothing visible mid-reply)',
      ratio: `${(chatkeep.counts.put / seed.counts.put).toFixed(1)}x writes`,
      goal: `<= ${bound}, whatever the length`,
      met: chatkeep.counts.put <= bound,
      method: `${METHOD}; a model of 300 pieces moving the Worker's clock (now option) 100 ms each`,
    });
  });
}
