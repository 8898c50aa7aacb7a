// Row 3 with aiSdkModel: time to first token of chatkeep running the AI SDK (`@ai-sdk/openai-compatible` through
// `streamText`) beside chatkeep's built-in OpenAI provider, both reading the same model bytes after the same wait.
import { it } from 'vitest';
import { median, ms, ratio, report } from '../figures';
import { baselineWorker } from '../support/baseline-worker';
import { chatHost } from '../support/chat-host';
import { countingKv } from '../support/counting-kv';
import { memoryKv } from '../support/memory-kv';
import { aiSdkOpenAiCompatible, builtInOpenAi, endpointFetch } from '../support/model-endpoint';
import { openAiReplyChunks } from '../support/openai-stream';
import { timeToFirstToken } from '../support/time-to-first-token';
import { inProcess, type InProcessWorker } from '../../../worker/testing/in-process';

const KV_LATENCY_MS = 30;
const FIRST_TOKEN_MS = 200;
const RUNS = 15;

it('time to first token: aiSdkModel vs the built-in provider, and vs no persistence', async () => {
  const endpoint = endpointFetch(openAiReplyChunks(5), { firstChunkMs: FIRST_TOKEN_MS });
  const kv = () => countingKv(memoryKv(), { latencyMs: KV_LATENCY_MS }).kv;
  const variants: Record<'aiSdk' | 'builtIn' | 'aiSdkNone', { host: InProcessWorker; times: number[] }> = {
    aiSdk: { host: chatHost({ kv: kv(), model: aiSdkOpenAiCompatible(endpoint) }), times: [] },
    builtIn: { host: chatHost({ kv: kv(), model: builtInOpenAi(endpoint) }), times: [] },
    aiSdkNone: { host: inProcess(baselineWorker({ persistence: 'none', model: aiSdkOpenAiCompatible(endpoint) }), {}), times: [] },
  };
  // Interleaved, so a slow moment of the machine falls on every variant alike; the first round warms up.
  for (let run = 0; run <= RUNS; run++) {
    for (const [name, variant] of Object.entries(variants)) {
      const elapsed = await timeToFirstToken(variant.host, `bench-ttft-ai-sdk-${name}`, run);
      if (run > 0) variant.times.push(elapsed);
    }
  }
  const aiSdk = median(variants.aiSdk.times);
  const builtIn = median(variants.builtIn.times);
  const none = median(variants.aiSdkNone.times);
  const method = `node, the Worker's code in-process (createChatWorker and its conversation object, warm after the first round), a Map KV behind a wrapper adding ${KV_LATENCY_MS} ms per call; the model endpoint a fetch in memory answering the same OpenAI-compatible SSE (5 deltas) after ${FIRST_TOKEN_MS} ms, read by aiSdkModel(@ai-sdk/openai-compatible) or by the built-in createOpenAiModel; request to first \`delta\` parsed, median of ${RUNS} interleaved runs`;
  report({
    row: 3,
    order: 5,
    measure: 'Time to first token, aiSdkModel (@ai-sdk/openai-compatible) vs the built-in OpenAI provider',
    chatkeep: ms(aiSdk),
    baseline: ms(builtIn),
    baselineName: 'chatkeep with createOpenAiModel, same bytes',
    ratio: `${ratio(aiSdk, builtIn)} (${aiSdk >= builtIn ? '+' : ''}${ms(aiSdk - builtIn)})`,
    goal: '—',
    met: null,
    method,
  });
  report({
    row: 3,
    order: 6,
    measure: 'Time to first token, aiSdkModel vs the same AI SDK model with no persistence',
    chatkeep: ms(aiSdk),
    baseline: ms(none),
    baselineName: 'same model, no persistence',
    ratio: `${ratio(aiSdk, none)} (+${((aiSdk / none - 1) * 100).toFixed(1)}%)`,
    goal: 'within 5% (<= 1.05x)',
    met: aiSdk <= none * 1.05,
    method,
  });
});
