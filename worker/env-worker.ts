import type { ChatDurableObjectNamespace, ChatKvNamespace } from './cloudflare-types';
import { createChatWorker, type ChatWorker } from './create-chat-worker';
import { errorResponse } from './error-response';
import type { ChatWorkerOptions, RateLimiter } from './options';
import { ConfigurationError } from './resolve-options';
import { createDemoModel, DEFAULT_DEMO_DELAY_MS } from './providers/demo-model';
import type { ModelProvider } from './providers/model-provider';
import { createOpenAiModel } from './providers/openai-model';
import { createWorkersAiModel, type WorkersAiBinding } from './providers/workers-ai-model';

/**
 * The vars, secrets and bindings the deployable Worker reads (set them in wrangler.jsonc, or with
 * `wrangler secret put` for secrets).
 */
export interface ChatKeepEnv {
  /** KV namespace holding the conversations. */
  CHAT_KV: ChatKvNamespace;
  /** The conversation object's namespace (class `ChatConversation`). Required: without it every request is a 500 naming it. */
  CHAT_CONVERSATIONS?: ChatDurableObjectNamespace;
  /** `demo` (default: no network), `workers-ai` (needs the `AI` binding) or `openai` (any compatible endpoint). */
  MODEL_PROVIDER?: string;
  /** Demo model: ms between words; `0` streams at once. Default 40. */
  DEMO_DELAY_MS?: string;
  /** openai: the API root, e.g. `https://api.openai.com/v1`. Default `https://api.openai.com/v1`. */
  OPENAI_BASE_URL?: string;
  /** openai: the API key (a secret). Not sent when unset, for local servers that need none. */
  OPENAI_API_KEY?: string;
  /** openai: the model name. Default `gpt-4o-mini`. */
  OPENAI_MODEL?: string;
  /** workers-ai: the model. Default `@cf/meta/llama-3.1-8b-instruct`. */
  WORKERS_AI_MODEL?: string;
  /** workers-ai: the Workers AI binding. */
  AI?: WorkersAiBinding;
  /** Seconds a message is kept after its last write. Default 604800 (7 days). */
  RETENTION_SECONDS?: string;
  /** Comma-separated origins allowed to call cross-origin, or `*`. Default none. */
  CORS_ORIGINS?: string;
  /** Messages of earlier conversation the model sees. Default 20. */
  CONTEXT_WINDOW?: string;
  /** A system prompt put before every conversation. Default none. */
  SYSTEM_PROMPT?: string;
  /** Ms of model silence after which a reply ends `model_timeout`. Default 30000. */
  MODEL_IDLE_TIMEOUT_MS?: string;
  /** An optional Workers Rate Limiting binding, keyed by session id. */
  RATE_LIMITER?: RateLimiter;
}

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';


/**
 * A numeric var: a whole number >= 0 written in decimal digits (wrangler may also hand over a JSON number), or
 * `undefined` when it is unset or empty. Anything else — `30s`, `1e3`, `0x10`, `-5`, `NaN` — is an error naming the
 * var, never a `NaN` that slips through every comparison.
 */
function numberVar(name: keyof ChatKeepEnv, value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  throw new ConfigurationError(`${name} must be a whole number >= 0 written in digits, got ${JSON.stringify(value) ?? String(value)}`);
}

export function modelFromEnv(env: ChatKeepEnv): ModelProvider {
  const provider = (env.MODEL_PROVIDER ?? 'demo').trim();
  if (provider === 'demo') return createDemoModel({ delayMs: numberVar('DEMO_DELAY_MS', env.DEMO_DELAY_MS) ?? DEFAULT_DEMO_DELAY_MS });
  if (provider === 'workers-ai') {
    if (env.AI === undefined) throw new ConfigurationError('MODEL_PROVIDER=workers-ai needs the AI binding');
    return createWorkersAiModel({ ai: env.AI, ...(env.WORKERS_AI_MODEL ? { model: env.WORKERS_AI_MODEL } : {}) });
  }
  if (provider === 'openai') {
    return createOpenAiModel({
      baseUrl: env.OPENAI_BASE_URL || DEFAULT_OPENAI_BASE_URL,
      model: env.OPENAI_MODEL || DEFAULT_OPENAI_MODEL,
      ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
    });
  }
  throw new ConfigurationError(`Unknown MODEL_PROVIDER ${JSON.stringify(provider)}: use demo, workers-ai or openai`);
}

/** Options for the deployable Worker, read from its env. */
export function optionsFromEnv(env: ChatKeepEnv): ChatWorkerOptions<ChatKeepEnv> {
  const options: ChatWorkerOptions<ChatKeepEnv> = {
    model: modelFromEnv,
    kv: (e) => e.CHAT_KV,
    conversations: (e) => e.CHAT_CONVERSATIONS,
    rateLimiter: (e) => e.RATE_LIMITER,
  };
  // Read here too, not only when the demo model is built, so a bad value stops the Worker before any request runs.
  numberVar('DEMO_DELAY_MS', env.DEMO_DELAY_MS);
  const retention = numberVar('RETENTION_SECONDS', env.RETENTION_SECONDS);
  if (retention !== undefined) options.retentionSeconds = retention;
  const contextWindow = numberVar('CONTEXT_WINDOW', env.CONTEXT_WINDOW);
  if (contextWindow !== undefined) options.contextWindow = contextWindow;
  const idle = numberVar('MODEL_IDLE_TIMEOUT_MS', env.MODEL_IDLE_TIMEOUT_MS);
  if (idle !== undefined) options.modelIdleTimeoutMs = idle;
  if (env.SYSTEM_PROMPT) options.systemPrompt = env.SYSTEM_PROMPT;
  const origins = (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  if (origins.length > 0) options.corsOrigins = origins.includes('*') ? '*' : origins;
  return options;
}

function configurationError(error: unknown): ConfigurationError {
  if (error instanceof ConfigurationError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new ConfigurationError(`The Worker's vars make no valid configuration: ${reason}`, { cause: error });
}

/**
 * The deployable Worker: chatkeep configured from its vars. The handler is built once per distinct configuration
 * (vars are fixed for a deployment), so replies in flight stay known to the stop route.
 */
export function createEnvWorker(): ChatWorker<ChatKeepEnv> {
  let cached: { key: string; worker: ChatWorker<ChatKeepEnv> } | undefined;
  return {
    fetch(request, env, ctx) {
      const key = JSON.stringify([
        env.RETENTION_SECONDS,
        env.CONTEXT_WINDOW,
        env.MODEL_IDLE_TIMEOUT_MS,
        env.SYSTEM_PROMPT,
        env.CORS_ORIGINS,
      ]);
      if (cached?.key !== key) {
        try {
          cached = { key, worker: createChatWorker(optionsFromEnv(env)) };
        } catch (error) {
          // A deploy mistake: every request gets the JSON 500 (never the runtime's error page), and the log says
          // which var is wrong.
          return Promise.resolve(errorResponse(configurationError(error)));
        }
      }
      return cached.worker.fetch(request, env, ctx);
    },
  };
}
