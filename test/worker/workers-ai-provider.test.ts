import { describe, expect, it } from 'vitest';
import { ConfigurationError, createWorkersAiModel, ModelError, modelFromEnv, type ModelPiece, type WorkersAiBinding } from '../../worker/index';
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
