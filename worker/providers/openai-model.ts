import { ModelError, type ModelPiece, type ModelProvider } from './model-provider';
import { toOpenAiMessages } from './openai-messages';
import { SseDataReader } from './sse-data';

/** Options for {@link createOpenAiModel}. */
export interface OpenAiModelOptions {
  /** The API root that `/chat/completions` is appended to, e.g. `https://api.openai.com/v1` or an Ollama/vLLM URL. */
  baseUrl: string;
  /**
   * Sent as `Authorization: Bearer …`; keep it in a Worker secret. Omitted for servers that need none.
   * @defaultValue no Authorization header
   */
  apiKey?: string;
  /** The model name the server expects, e.g. `gpt-4o-mini`. */
  model: string;
  /**
   * The fetch to call the endpoint with.
   * @defaultValue the global `fetch`
   */
  fetch?: typeof fetch;
  /**
   * Extra fields merged into the request body (e.g. `{ temperature: 0.2 }`).
   * @defaultValue none
   */
  body?: Record<string, unknown>;
}

interface CompletionDelta {
  content?: string | null;
  /** The model's reasoning, as DeepSeek, vLLM and llama.cpp stream it. */
  reasoning_content?: string | null;
  /** The same, as OpenRouter, Ollama and newer vLLM stream it. */
  reasoning?: string | null;
}

interface CompletionChunk {
  choices?: { delta?: CompletionDelta; finish_reason?: string | null }[];
}

/**
 * Any OpenAI-compatible chat-completions endpoint (OpenAI, Groq, Ollama, vLLM, llama.cpp), streamed: the reply's
 * text, and the reasoning a reasoning model streams as `reasoning_content` or `reasoning` deltas. Earlier turns'
 * tool calls and results go to the model as `tool_calls` and `tool` messages.
 *
 * It does not offer tools itself. For tools, run the same endpoint through `aiSdkModel` (`chatkeep/worker/ai-sdk`)
 * with `@ai-sdk/openai-compatible`: a tool loop needs the calls' arguments assembled from fragments streamed by
 * index, input validated against each tool's schema, the tools run and the model called again with their results,
 * a step limit, and each server's quirks in all of that — what the AI SDK already does and tests against these
 * servers. A second copy here would be more code to get wrong for no gain; this provider stays the small one, with
 * no dependency, for a Worker that only chats.
 *
 * @example
 * ```ts
 * createOpenAiModel({ baseUrl: 'https://api.groq.com/openai/v1', apiKey: env.OPENAI_API_KEY, model: 'llama-3.1-8b-instant' });
 * ```
 */
export function createOpenAiModel(options: OpenAiModelOptions): ModelProvider {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  return {
    name: 'openai',
    async *stream({ messages, signal }): AsyncGenerator<ModelPiece> {
      const doFetch = options.fetch ?? fetch;
      let response: Response;
      try {
        response = await doFetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'text/event-stream',
            ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
          },
          body: JSON.stringify({ ...options.body, model: options.model, messages: toOpenAiMessages(messages), stream: true }),
          signal,
        });
      } catch (cause) {
        if (signal.aborted) return;
        throw new ModelError('model_error', 'The model endpoint could not be reached', { cause });
      }
      if (!response.ok || response.body === null) {
        await response.body?.cancel().catch(() => undefined);
        throw new ModelError('model_error', `The model endpoint answered ${response.status}`);
      }
      let finished = false;
      // Read here rather than through a generator of events: one await per network read, not one per event.
      const events = new SseDataReader(response.body, signal);
      try {
        read: for (let batch = await events.read(); batch !== undefined; batch = await events.read()) {
          for (const data of batch) {
            if (data.trim() === '[DONE]') {
              finished = true;
              break read;
            }
            const chunk = parseChunk(data);
            const choice = chunk.choices?.[0];
            const reasoning = reasoningOf(choice?.delta);
            if (reasoning.length > 0) yield { type: 'reasoning', text: reasoning };
            const text = choice?.delta?.content;
            if (typeof text === 'string' && text.length > 0) yield text;
            if (choice?.finish_reason) finished = true;
          }
        }
      } catch (cause) {
        if (signal.aborted) return;
        if (cause instanceof ModelError) throw cause;
        throw new ModelError('model_error', 'The model stream failed', { cause });
      } finally {
        events.release();
      }
      if (!finished && !signal.aborted) throw new ModelError('model_error', 'The model stream ended before the reply was complete');
    },
  };
}

function parseChunk(data: string): CompletionChunk {
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null ? (value as CompletionChunk) : {};
  } catch (cause) {
    throw new ModelError('model_error', 'The model sent a chunk that is not JSON', { cause });
  }
}

/** A delta's reasoning: `reasoning_content` where a server sends it, else `reasoning`; one of them where it sends both. */
function reasoningOf(delta: CompletionDelta | undefined): string {
  const reasoning = delta?.reasoning_content ?? delta?.reasoning;
  return typeof reasoning === 'string' ? reasoning : '';
}
