/**
 * A model endpoint in memory for the rows that compare providers: a `fetch` answering every request with the same
 * OpenAI-compatible SSE bytes, given to chatkeep's built-in OpenAI provider and to the AI SDK's
 * `@ai-sdk/openai-compatible` alike, so both parse the same stream and only the providers' own work differs.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { aiSdkModel } from '../../../worker/providers/ai-sdk-model';
import { createOpenAiModel } from '../../../worker/providers/openai-model';
import type { ModelProvider } from '../../../worker/providers/model-provider';
import { streamOf } from './sse-events';

const BASE_URL = 'http://model.bench/v1';

export interface EndpointOptions {
  /** Real wait before the response's headers, in ms: the model's time to first token. @defaultValue 0 */
  firstChunkMs?: number;
  /** Called before each read of the body (to move a manual clock). */
  onPull?: () => void;
}

/** A fetch that answers `chunks` as an event stream. */
export function endpointFetch(chunks: readonly Uint8Array[], options: EndpointOptions = {}): typeof fetch {
  return async () => {
    if ((options.firstChunkMs ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, options.firstChunkMs));
    return new Response(streamOf(chunks, options.onPull), { headers: { 'content-type': 'text/event-stream' } });
  };
}

/** chatkeep's own OpenAI-compatible provider over `fetch`. */
export function builtInOpenAi(fetch: typeof globalThis.fetch): ModelProvider {
  return createOpenAiModel({ baseUrl: BASE_URL, model: 'bench', fetch });
}

/** `aiSdkModel` over the AI SDK's `@ai-sdk/openai-compatible` provider, over `fetch`. */
export function aiSdkOpenAiCompatible(fetch: typeof globalThis.fetch): ModelProvider {
  return aiSdkModel({ model: createOpenAICompatible({ name: 'bench', baseURL: BASE_URL, fetch }).chatModel('bench'), maxRetries: 0 });
}
