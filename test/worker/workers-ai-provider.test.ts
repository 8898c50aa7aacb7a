import { describe, expect, it } from 'vitest';
import { ConfigurationError, createWorkersAiModel, ModelError, modelFromEnv, type ModelMessage, type ModelPiece, type WorkersAiBinding } from '../../worker/index';
import { env } from 'cloudflare:workers';

/** The stream the AI binding returns with `stream: true`: server-sent events, cut into awkward chunks. */
function aiStream(frames: string, chunkSize: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(frames);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) controller.close();
      else {
        controller.enqueue(bytes.slice(offset, offset + chunkSize));
        offset += chunkSize;
      }
    },
  });
}

function binding(frames: string, seen: unknown[] = []): WorkersAiBinding {
  return {
    async run(model, input) {
      seen.push({ model, input });
      return aiStream(frames, 7);
    },
  };
}

async function collect(iterable: AsyncIterable<ModelPiece>): Promise<ModelPiece[]> {
  const out: ModelPiece[] = [];
  for await (const piece of iterable) out.push(piece);
  return out;
}

describe('workers-ai provider', () => {
  const signal = new AbortController().signal;
  const messages = [{ role: 'user' as const, content: 'Hi' }];

  it('parses the binding SSE stream up to [DONE], with multi-byte characters split across chunks', async () => {
    const seen: unknown[] = [];
    const frames = 'data: {"response":"Grüße"}\n\ndata: {"response":" 👋"}\n\n: keep-alive\n\ndata: [DONE]\n\n';
    const model = createWorkersAiModel({ ai: binding(frames, seen), model: '@cf/test/model' });
    expect(await collect(model.stream({ messages, signal }))).toEqual(['Grüße', ' 👋']);
    expect(seen).toEqual([{ model: '@cf/test/model', input: { messages, stream: true } }]);
  });

  it('makes a leading <think>…</think> reasoning, split anywhere between two response frames', async () => {
    const reply = '<think>\nGreet back.\n</think>\n\nHello!';
    for (let i = 0; i <= reply.length; i++) {
      const frames = [reply.slice(0, i), reply.slice(i)].map((response) => `data: ${JSON.stringify({ response })}\n\n`).join('');
      const pieces = await collect(createWorkersAiModel({ ai: binding(`${frames}data: [DONE]\n\n`) }).stream({ messages, signal }));
      const reasoning = pieces.filter((piece) => typeof piece !== 'string');
      expect(reasoning.map((piece) => (piece.type === 'reasoning' ? piece.text : '')).join(''), `split at ${i}`).toBe('Greet back.');
      expect(pieces.filter((piece) => typeof piece === 'string').join(''), `split at ${i}`).toBe('Hello!');
      expect(pieces.indexOf(reasoning.at(-1)!)).toBeLessThan(pieces.findIndex((piece) => typeof piece === 'string'));
    }
  });

  it('streams reasoning_content deltas of chat-completion chunks as reasoning', async () => {
    const frames = [{ reasoning_content: 'Hm.' }, { content: 'Yes.' }].map((delta) => `data: ${JSON.stringify({ choices: [{ delta }] })}\n\n`).join('');
    expect(await collect(createWorkersAiModel({ ai: binding(`${frames}data: [DONE]\n\n`) }).stream({ messages, signal }))).toEqual([
      { type: 'reasoning', text: 'Hm.' },
      'Yes.',
    ]);
  });

  it('sends each turn as its role and text only, leaving an earlier turn’s parts out', async () => {
    const seen: unknown[] = [];
    const model = createWorkersAiModel({ ai: binding('data: [DONE]\n\n', seen), model: '@cf/test/model' });
    const history: ModelMessage[] = [
      { role: 'user', content: 'What time?' },
      { role: 'assistant', content: 'Noon.', parts: [{ type: 'tool', toolCallId: 'c', name: 'get_time', input: {}, state: 'done', output: 'noon' }, { type: 'text', text: 'Noon.' }] },
      ...messages,
    ];
    await collect(model.stream({ messages: history, signal }));
    expect(seen).toEqual([
      { model: '@cf/test/model', input: { messages: [{ role: 'user', content: 'What time?' }, { role: 'assistant', content: 'Noon.' }, ...messages], stream: true } },
    ]);
  });

  it('throws model_error when the stream ends without [DONE]', async () => {
    const model = createWorkersAiModel({ ai: binding('data: {"response":"Half"}\n\n') });
    const pieces: ModelPiece[] = [];
    const run = async () => {
      for await (const piece of model.stream({ messages, signal })) pieces.push(piece);
    };
    await expect(run()).rejects.toBeInstanceOf(ModelError);
    expect(pieces).toEqual(['Half']);
  });

  it('is chosen by MODEL_PROVIDER=workers-ai, which needs the AI binding', () => {
    expect(modelFromEnv({ CHAT_KV: env.CHAT_KV, MODEL_PROVIDER: 'workers-ai', AI: binding('') }).name).toBe('workers-ai');
    expect(() => modelFromEnv({ CHAT_KV: env.CHAT_KV, MODEL_PROVIDER: 'workers-ai' })).toThrow(ConfigurationError);
    expect(() => modelFromEnv({ CHAT_KV: env.CHAT_KV, MODEL_PROVIDER: 'gpt' })).toThrow(ConfigurationError);
    expect(modelFromEnv({ CHAT_KV: env.CHAT_KV }).name).toBe('demo');
  });
});
