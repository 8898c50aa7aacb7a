import { ModelError, type ModelPiece, type ModelProvider } from './model-provider';
import { sseData } from './sse-data';
import { ThinkTags } from './think-tags';

/** A turn as Workers AI takes it. */
export interface WorkersAiMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** The slice of the Workers AI binding (`env.AI`) this provider uses. */
export interface WorkersAiBinding {
  run(model: string, input: { messages: WorkersAiMessage[]; stream: true }, options?: Record<string, unknown>): Promise<unknown>;
}

/** Options for {@link createWorkersAiModel}. */
export interface WorkersAiModelOptions {
  /** The `AI` binding from the Worker's env. */
  ai: WorkersAiBinding;
  /**
   * The model to run.
   * @defaultValue `'@cf/meta/llama-3.1-8b-instruct'`
   */
  model?: string;
}

export const DEFAULT_WORKERS_AI_MODEL = '@cf/meta/llama-3.1-8b-instruct';

interface AiChunk {
  response?: unknown;
  choices?: { delta?: { content?: unknown; reasoning_content?: unknown } }[];
}

/**
 * Workers AI through the `AI` binding, streamed. With `stream: true` the binding returns a `ReadableStream` of
 * server-sent events, `data: {"response":"…"}` pieces (or chat-completion chunks, for the models that answer in
 * that shape) ended by `data: [DONE]`. A reasoning model's thoughts become reasoning: the `<think>…</think>` a
 * reply begins with (DeepSeek R1, QwQ, Qwen 3), or `reasoning_content` deltas. Each turn is sent as its text;
 * earlier tool calls are not, as the binding's chat input has no shape for them (run tools through `aiSdkModel`
 * with `workers-ai-provider`).
 *
 * @example
 * ```ts
 * createChatWorker({ model: (env) => createWorkersAiModel({ ai: env.AI }) });
 * ```
 */
export function createWorkersAiModel(options: WorkersAiModelOptions): ModelProvider {
  const model = options.model ?? DEFAULT_WORKERS_AI_MODEL;
  return {
    name: 'workers-ai',
    async *stream({ messages, signal }): AsyncGenerator<ModelPiece> {
      let output: unknown;
      try {
        // Role and text only: the binding validates its input, and the parts are chatkeep's, not the model's.
        const input = messages.map(({ role, content }) => ({ role, content }));
        output = await options.ai.run(model, { messages: input, stream: true });
      } catch (cause) {
        throw new ModelError('model_error', 'Workers AI refused the request', { cause });
      }
      if (!(output instanceof ReadableStream)) throw new ModelError('model_error', 'Workers AI did not stream');
      let finished = false;
      const think = new ThinkTags();
      try {
        for await (const data of sseData(output as ReadableStream<Uint8Array>, signal)) {
          if (data.trim() === '[DONE]') {
            finished = true;
            break;
          }
          const chunk = parseChunk(data);
          const reasoning = chunk.choices?.[0]?.delta?.reasoning_content;
          if (typeof reasoning === 'string' && reasoning.length > 0) yield { type: 'reasoning', text: reasoning };
          yield* think.push(textOf(chunk));
        }
        yield* think.end();
      } catch (cause) {
        if (signal.aborted) return;
        if (cause instanceof ModelError) throw cause;
        throw new ModelError('model_error', 'The Workers AI stream failed', { cause });
      }
      if (!finished && !signal.aborted) throw new ModelError('model_error', 'The Workers AI stream ended early');
    },
  };
}

function parseChunk(data: string): AiChunk {
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null ? (value as AiChunk) : {};
  } catch (cause) {
    throw new ModelError('model_error', 'Workers AI sent a chunk that is not JSON', { cause });
  }
}

function textOf(chunk: AiChunk): string {
  if (typeof chunk.response === 'string') return chunk.response;
  const content = chunk.choices?.[0]?.delta?.content;
  return typeof content === 'string' ? content : '';
}
