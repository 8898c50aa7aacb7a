// Row 8: the Worker's CPU per reply of 1,000 deltas, against bare eventsource-parser over the same model bytes and a
// bare relay, with the conversation object running the reply as it always does; and the same reply read by
// aiSdkModel over the AI SDK's @ai-sdk/openai-compatible instead of the built-in provider.
import { createParser } from 'eventsource-parser';
import { expect, it } from 'vitest';
import { createChatWorker } from '../../../worker/create-chat-worker';
import { createConversationClass } from '../../../worker/conversation/conversation-object';
import { inProcessConversations } from '../../../worker/testing/in-process-conversations';
import { replyIdFor } from '../../../worker/conversation/reply-id';
import { median, ms, ratio, report } from '../figures';
import { inProcess } from '../../../worker/testing/in-process';
import { memoryKv } from '../support/memory-kv';
import { manualClock } from '../support/models';
import { openAiReplyChunks } from '../support/openai-stream';
import { drain, streamOf } from '../support/sse-events';
import { SessionStore } from '../../../worker/store/session-store';
import type { ModelProvider } from '../../../worker/providers/model-provider';
import { aiSdkMockModel } from '../support/ai-sdk-mock';
import { aiSdkOpenAiCompatible, builtInOpenAi, endpointFetch } from '../support/model-endpoint';

const DELTAS = 1000;
/** Each model chunk moves the Worker's clock this much: a 30 s reply, so ~30 checkpoints are serialised. */
const CLOCK_STEP_MS = 30;
const WARMUP = 5;
const RUNS = 60;

function cpuMs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

it('Worker CPU per reply of 1,000 deltas', async () => {
  const chunks = openAiReplyChunks(DELTAS);
  const pieces = Array.from({ length: DELTAS }, (_, i) => ` word${i}`);
  const expectedText = pieces.join('');
  const kv = memoryKv();

  /**
   * One exchange: the Worker forwards the turn to the conversation object (in process), which runs the reply;
   * `checkpointIntervalMs` past the reply's length turns checkpoints off, to show their share; `provider` is the
   * model, which calls `onPull` before each chunk it reads (the built-in OpenAI provider reading the model's bytes
   * unless given).
   */
  const workerRun = async (
    run: number,
    checkpointIntervalMs?: number,
    provider: (onPull: () => void) => ModelProvider = (onPull) => builtInOpenAi(endpointFetch(chunks, { onPull })),
  ): Promise<number> => {
    const clock = manualClock();
    const model = provider(() => clock.advance(CLOCK_STEP_MS));
    // Checkpoints off must not leave a reply looking stale (the options refuse it): the stale limit moves with them.
    const spacing = checkpointIntervalMs ? { checkpointIntervalMs, staleStreamingMs: 2 * checkpointIntervalMs } : {};
    const options = { kv, model, now: clock.now, ...spacing };
    const objects = inProcessConversations(createConversationClass(options));
    const host = inProcess(createChatWorker({ ...options, conversations: objects.namespace }), {});
    const start = process.cpuUsage();
    const response = await host.fetch('http://bench/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: `bench-cpu-${run}`, message: { id: `bench-cpu-${run}-u`, content: 'Tell me a long story.' } }),
    });
    const bytes = await drain(response.body);
    await host.settled();
    await objects.settled();
    const used = cpuMs(start);
    const reply = await new SessionStore(kv, `bench-cpu-${run}`, 60).get(await replyIdFor(`bench-cpu-${run}-u`));
    expect(reply?.status).toBe('complete');
    expect(reply?.content).toBe(expectedText);
    expect(bytes).toBeGreaterThan(DELTAS * 40);
    return used;
  };

  const bareRun = async (): Promise<number> => {
    const start = process.cpuUsage();
    let text = '';
    const parser = createParser({
      onEvent(event) {
        if (event.data === '[DONE]') return;
        const chunk = JSON.parse(event.data) as { choices: { delta: { content?: string } }[] };
        text += chunk.choices[0]?.delta.content ?? '';
      },
    });
    const decoder = new TextDecoder();
    const reader = streamOf(chunks).getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) parser.feed(decoder.decode(r.value, { stream: true }));
    const used = cpuMs(start);
    expect(text.length).toBeGreaterThan(DELTAS);
    return used;
  };

  /** The least a relaying Worker does: parse the model's SSE and write each piece as an SSE frame to a stream. */
  const relayRun = async (): Promise<number> => {
    const start = process.cpuUsage();
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const encoder = new TextEncoder();
    let id = 1;
    const parser = createParser({
      onEvent(event) {
        if (event.data === '[DONE]') return;
        const chunk = JSON.parse(event.data) as { choices: { delta: { content?: string } }[] };
        const text = chunk.choices[0]?.delta.content;
        if (text) void writer.write(encoder.encode(`id: ${id++}\nevent: delta\ndata: ${JSON.stringify({ id: 'r', text })}\n\n`));
      },
    });
    const drained = drain(readable);
    const decoder = new TextDecoder();
    const reader = streamOf(chunks).getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) parser.feed(decoder.decode(r.value, { stream: true }));
    await writer.close();
    const bytes = await drained;
    const used = cpuMs(start);
    expect(bytes).toBeGreaterThan(DELTAS * 40);
    return used;
  };

  const worker: number[] = [];
  const relay: number[] = [];
  const noCheckpoints: number[] = [];
  const bare: number[] = [];
  const aiSdk: number[] = [];
  const aiSdkMock: number[] = [];
  for (let run = 0; run < WARMUP + RUNS; run++) {
    const w = await workerRun(run);
    const n = await workerRun(WARMUP + RUNS + run, 3_600_000);
    const a = await workerRun(2 * (WARMUP + RUNS) + run, undefined, (onPull) => aiSdkOpenAiCompatible(endpointFetch(chunks, { onPull })));
    const m = await workerRun(3 * (WARMUP + RUNS) + run, undefined, (onPull) => aiSdkMockModel(pieces, onPull));
    const b = await bareRun();
    const r = await relayRun();
    if (run >= WARMUP) {
      relay.push(r);
      worker.push(w);
      noCheckpoints.push(n);
      bare.push(b);
      aiSdk.push(a);
      aiSdkMock.push(m);
    }
  }
  const chatkeep = median(worker);
  const withoutCheckpoints = median(noCheckpoints);
  const floor = median(bare);
  report({
    row: 8,
    order: 1,
    measure: `Worker CPU per reply of ${DELTAS.toLocaleString('en')} deltas (30 s on its clock, ~30 checkpoints)`,
    chatkeep: ms(chatkeep),
    baseline: ms(floor),
    baselineName: 'bare eventsource-parser reading the same model bytes',
    ratio: ratio(chatkeep, floor, 1),
    goal: '—',
    met: null,
    method:
      `node ${process.versions.node}, process.cpuUsage around one POST /api/chat in-process: createChatWorker({ conversations }) ` +
      'forwarding to createConversationClass with the same options (a Map as the object storage; the Worker-to-object hop a ' +
      `direct call, not serialized by a runtime), the real OpenAI provider reading ${DELTAS} model SSE events from memory, the ` +
      `client SSE, checkpoints and final write to a Map KV, until the object's waitUntil work settled, body read by a minimal ` +
      `client; median of ${RUNS} after ${WARMUP} warm-up`,
  });
  report({
    row: 8,
    order: 2,
    measure: 'Worker CPU per reply, same reply with checkpoints off (checkpointIntervalMs = 1 h)',
    chatkeep: ms(withoutCheckpoints),
    baseline: ms(floor),
    baselineName: 'bare eventsource-parser reading the same model bytes',
    ratio: `${ratio(withoutCheckpoints, floor, 1)}; checkpoints cost ${ms(Math.max(0, chatkeep - withoutCheckpoints))}`,
    goal: '—',
    met: null,
    method: 'as above, interleaved with it',
  });
  report({
    row: 8,
    order: 3,
    measure: 'Worker CPU per reply vs a bare relay (parse model SSE, write each piece as SSE through a TransformStream)',
    chatkeep: ms(chatkeep),
    baseline: ms(median(relay)),
    baselineName: 'bare relay, no persistence, same bytes',
    ratio: `${ratio(chatkeep, median(relay), 1)}; chatkeep's own work ${ms(Math.max(0, chatkeep - median(relay)))}`,
    // An absolute figure would measure node's web streams and the machine; the ratio is chatkeep's own cost.
    goal: '≤ 1.0×',
    met: chatkeep <= median(relay),
    method: 'as above, interleaved with it',
  });
  const withAiSdk = median(aiSdk);
  report({
    row: 8,
    order: 4,
    measure: 'Worker CPU per reply, the same reply read by aiSdkModel (@ai-sdk/openai-compatible through streamText)',
    chatkeep: ms(withAiSdk),
    baseline: ms(chatkeep),
    baselineName: 'chatkeep with the built-in OpenAI provider (the first line)',
    ratio: `${ratio(withAiSdk, chatkeep, 2)}; the AI SDK adds ${ms(withAiSdk - chatkeep)}`,
    goal: '—',
    met: null,
    method: 'as above, interleaved with it; the same model bytes through the AI SDK provider and streamText instead of createOpenAiModel',
  });
  report({
    row: 8,
    order: 5,
    measure: 'Worker CPU per reply, aiSdkModel over the AI SDK’s MockLanguageModelV4 (streamText alone, no provider parsing)',
    chatkeep: ms(median(aiSdkMock)),
    baseline: ms(chatkeep),
    baselineName: 'chatkeep with the built-in OpenAI provider (the first line)',
    ratio: `${ratio(median(aiSdkMock), chatkeep, 2)}; streamText adds ${ms(median(aiSdkMock) - chatkeep)}`,
    goal: '—',
    met: null,
    method: `as above, interleaved with it; the mock (ai/test) streams the same ${DELTAS} text deltas as parts, one per read`,
  });
});
