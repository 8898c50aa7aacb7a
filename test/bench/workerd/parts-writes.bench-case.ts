// Row 12: storage writes per reply of 3 tool steps and 500 text pieces, the conversation object against a write per
// chunk: parts are kept in memory and checkpointed like text.
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { createChatWorker } from '../../../worker/create-chat-worker';
import type { ModelPiece, ModelProvider } from '../../../worker/providers/model-provider';
import { inProcess } from '../../../worker/testing/in-process';
import { plural, report } from '../figures';
import { countingKv } from '../support/counting-kv';
import { manualClock, type ManualClock } from '../support/models';
import { readEvents } from '../support/sse-events';
import { storageCounts, useBenchOptions } from './main';

const TOOL_STEPS = 3;
const TEXT_PIECES = 500;
const PIECES = TOOL_STEPS * 2 + TEXT_PIECES;

/** Each step: a tool call, its result, then a third of the text; 60 ms a piece on the Worker's clock. */
function toolStepsModel(clock?: ManualClock): ModelProvider {
  const pieces: ModelPiece[] = [];
  for (let step = 0; step < TOOL_STEPS; step++) {
    const toolCallId = `call_${step}`;
    pieces.push({ type: 'tool-call', toolCallId, name: 'lookup', input: { step } });
    pieces.push({ type: 'tool-result', toolCallId, output: { step, found: `result ${step}` } });
    const end = Math.round((TEXT_PIECES * (step + 1)) / TOOL_STEPS);
    for (let i = Math.round((TEXT_PIECES * step) / TOOL_STEPS); i < end; i++) pieces.push(` word${i}`);
  }
  return {
    name: 'tool-steps',
    async *stream({ signal }) {
      for (const piece of pieces) {
        if (signal.aborted) return;
        // A real 2 ms gap lets each checkpoint finish, as a model's pace would.
        if (clock !== undefined) await new Promise((resolve) => setTimeout(resolve, 2));
        clock?.advance(60);
        yield piece;
      }
    },
  };
}

it('storage writes per reply of 3 tool steps and 500 text pieces', async () => {
  const clock = manualClock();
  const kv = countingKv(env.CHAT_KV);
  const model = toolStepsModel(clock);
  useBenchOptions({ model, kv: kv.kv, now: clock.now });
  const worker = createChatWorker({ model, kv: kv.kv, now: clock.now, conversations: env.BENCH_CONVERSATIONS });
  const host = inProcess(worker, {});
  storageCounts.put = 0;
  storageCounts.delete = 0;
  const response = await host.fetch('http://bench/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId: 'bench-parts-writes', message: { id: 'bench-parts-writes-u1', content: 'Look it up' } }),
  });
  const events = await readEvents(response.body ?? new ReadableStream());
  await host.settled();
  expect(events.filter((event) => event.event === 'delta')).toHaveLength(TEXT_PIECES);
  expect(events.filter((event) => event.event === 'tool-result')).toHaveLength(TOOL_STEPS);
  const done = events.at(-1);
  expect(done?.event).toBe('done');
  expect((JSON.parse(done?.data ?? '{}') as { message: { parts: unknown[] } }).message.parts).toHaveLength(TOOL_STEPS * 2);
  // The running-reply entry is deleted just after `done`: let that write land before counting.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const objectWrites = storageCounts.put + storageCounts.delete;

  storageCounts.put = 0;
  storageCounts.delete = 0;
  useBenchOptions({ model: toolStepsModel() });
  const stub = env.PER_CHUNK_CONVERSATIONS.get(env.PER_CHUNK_CONVERSATIONS.idFromName('bench-parts-per-chunk'));
  expect(await (await stub.fetch('http://bench/')).text()).toBe(String(PIECES));
  const perChunkWrites = storageCounts.put + storageCounts.delete;

  const seconds = Math.round((PIECES * 60) / 1000);
  report({
    row: 12,
    order: 1,
    measure: `Storage writes per reply of ${TOOL_STEPS} tool steps and ${TEXT_PIECES} text pieces (${seconds} s on the Worker's clock)`,
    chatkeep: `${plural(objectWrites, 'object storage write')} + ${plural(kv.counts.put, 'KV write')}`,
    baseline: plural(perChunkWrites, 'object storage write'),
    baselineName: 'a write per chunk (the AIChatAgent pattern), same model',
    ratio: `${perChunkWrites - objectWrites} fewer object writes`,
    goal: 'object: <= 1 write a second of reply (its checkpoints), none per chunk; KV <= 3',
    met: objectWrites <= 2 + seconds && kv.counts.put <= 3,
    method:
      'workerd + real local KV and SQLite-backed objects; object storage put/delete counted through a proxy of its state; ' +
      'one POST /api/chat through the conversation object read to `done` (tool calls, results and text)',
  });
});
