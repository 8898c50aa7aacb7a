import { ModelError, type ModelMessage, type ModelProvider } from './model-provider';
import { sseData } from './sse-data';

/** The slice of the Workers AI binding (`env.AI`) this provider uses. */
export interface WorkersAiBinding {
  run(model: string, input: { messages: ModelMessage[]; stream: true }, options?: Record<string, unknown>): Promise<unknown>;
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
  choices?: { delta?: { content?: unknown } }[];
}

/**
 * Workers AI through the `AI` binding, streamed. With `stream: true` the binding returns a `ReadableStream` of
 * server-sent events, `data: {"response":"…"}` pieces ended by `data: [DONE]`.
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
    async *stream({ messages, signal }) {
      let output: unknown;
      try {
        output = await options.ai.run(model, { messages, stream: true });
      } catch (cause) {
        throw new ModelError('model_error', 'Workers AI refused the request', { cause });
      }
      if (!(output instanceof ReadableStream)) throw new ModelError('model_error', 'Workers AI did not stream');
      let finished = false;
      try {
        for await (const data of sseData(output as ReadableStream<Uint8Array>, signal)) {
          if (data.trim() === '[DONE]') {
            finished = true;
            break;
          }
          const text = textOf(data);
          if (text.length > 0) yield text;
        }
      } catch (cause) {
        if (signal.aborted) return;
        if (cause instanceof ModelError) throw cause;
        throw new ModelError('model_error', 'The Workers AI stream failed', { cause });
      }
      if (!finished && !signal.aborted) throw new ModelError('model_error', 'The Workers AI stream ended early');
    },
  };
}

function textOf(data: string): string {
  let chunk: AiChunk;
  try {
    chunk = JSON.parse(data) as AiChunk;
  } catch (cause) {
    throw new ModelError('model_error', 'Workers AI sent a chunk that is not JSON', { cause });
  }
  if (typeof chunk.response === 'string') return chunk.response;
  const content = chunk.choices?.[0]?.delta?.content;
  return typeof content === 'string' ? content : '';
}
