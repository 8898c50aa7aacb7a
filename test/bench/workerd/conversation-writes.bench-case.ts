// Row 10: storage writes per 500-delta reply, the conversation object against a write per chunk.
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { createChatWorker } from '../../../worker/create-chat-worker';
import { plural, report } from '../figures';
import { countingKv } from '../support/counting-kv';
import { inProcess } from '../../../worker/testing/in-process';
import { manualClock, pacedModel } from '../support/models';
import { readEvents } from '../support/sse-events';
import { storageCounts, useBenchOptions } from './main';

const DELTAS = 500;

it('storage writes per 500-delta reply', async () => {
  // 500 pieces, 60 ms apart on the Worker's clock: a 30-second reply (a real 2 ms gap lets each checkpoint finish).
  const clock = manualClock();
  const kv = countingKv(env.CHAT_KV);
  const model = pacedModel({ pieces: DELTAS, clock, clockStepMs: 60, realGapMs: 2 });
  useBenchOptions({ model, kv: kv.kv, now: clock.now });
  const worker = createChatWorker({ model, kv: kv.kv, now: clock.now, conversations: env.BENCH_CONVERSATIONS });
  const host = inProcess(worker, {});
  storageCounts.put = 0;
  storageCounts.delete = 0;
  const response = await host.fetch('http://bench/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId: 'bench-object-writes', message: { id: 'bench-object-writes-u1', content: 'Long' } }),
  });
  const events = await readEvents(response.body ?? new ReadableStream());
  await host.settled();
  expect(events.filter((event) => event.event === 'delta')).toHaveLength(DELTAS);
  expect(events.at(-1)?.event).toBe('done');
  // The running-reply entry is deleted just after `done`: let that write land before counting.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const objectWrites = storageCounts.put + storageCounts.delete;

  storageCounts.put = 0;
  storageCounts.delete = 0;
  useBenchOptions({ model: pacedModel({ pieces: DELTAS }) });
  const stub = env.PER_CHUNK_CONVERSATIONS.get(env.PER_CHUNK_CONVERSATIONS.idFromName('bench-per-chunk'));
  expect(await (await stub.fetch('http://bench/')).text()).toBe(String(DELTAS));
  const perChunkWrites = storageCounts.put + storageCounts.delete;

  report({
    row: 10,
    order: 1,
    measure: `Storage writes per reply of ${DELTAS} deltas (30 s on the Worker's clock)`,
    chatkeep: `${plural(objectWrites, 'object storage write')} + ${plural(kv.counts.put, 'KV write')}`,
    baseline: plural(perChunkWrites, 'object storage write'),
    baselineName: 'a write per chunk (the AIChatAgent pattern), same model',
    ratio: `${perChunkWrites - objectWrites} fewer object writes`,
    goal: 'object: <= 1 write a second of reply (its checkpoints), none per chunk; KV <= 3',
    met: objectWrites <= 2 + 30 && kv.counts.put <= 3,
    method:
      'workerd + real local KV and SQLite-backed objects; object storage put/delete counted through a proxy of its state; ' +
      'one POST /api/chat through the conversation object read to `done`',
  });
});
