import {
  CHECKPOINT_INTERVAL_MS,
  DEFAULT_BASE_PATH,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_CONTENT_CHARS,
  DEFAULT_RETENTION_SECONDS,
  DEFAULT_STALE_STREAMING_MS,
  isValidId,
} from '../sdk/protocol';
import type { ChatDurableObjectNamespace } from './cloudflare-types';
import { isReplyId } from './conversation/reply-id';
import { ownerOfAuthorizer } from './conversations/token-owner';
import type { ChatWorkerEnv, ChatWorkerOptions, ConversationObjectOptions, FromEnv, ResolvedOptions } from './options';
import type { ModelProvider } from './providers/model-provider';

// The options' defaults and checks: what `createChatWorker` and the conversation object resolve alike.

export const DEFAULT_CONTEXT_WINDOW = 20;
export const DEFAULT_MAX_TURNS_PER_SESSION = 1000;
export const DEFAULT_MODEL_IDLE_TIMEOUT_MS = 30_000;
export const DEFAULT_PING_INTERVAL_MS = 15_000;
/** KV's smallest `expirationTtl`. */
const MIN_RETENTION_SECONDS = 60;

function fromEnv<T, E>(value: FromEnv<T, E>): (env: E) => T {
  return typeof value === 'function' ? (value as (env: E) => T) : () => value;
}

function positive(name: string, value: number, min = 1): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new RangeError(`${name} must be a number >= ${min}, got ${String(value)}`);
  }
  return value;
}

/**
 * The stale limit, given or derived, checked against the longest a live reply can go without a checkpoint: a model
 * silent for just under its idle timeout, after a piece that came just too soon to be checkpointed.
 */
function staleLimit(given: number | undefined, modelIdleTimeoutMs: number, checkpointIntervalMs: number): number {
  const staleStreamingMs = positive('staleStreamingMs', given ?? Math.max(DEFAULT_STALE_STREAMING_MS, 2 * modelIdleTimeoutMs));
  if (modelIdleTimeoutMs + checkpointIntervalMs >= staleStreamingMs) {
    throw new RangeError(
      `modelIdleTimeoutMs (${modelIdleTimeoutMs}) plus checkpointIntervalMs (${checkpointIntervalMs}) must be less than ` +
        `staleStreamingMs (${staleStreamingMs}): a reply waiting on a silent model would be reported as interrupted ` +
        'while it still runs. Lower modelIdleTimeoutMs or raise staleStreamingMs.',
    );
  }
  return staleStreamingMs;
}

/** The older form's ids come from the app's maker: one in the reply id space would let a reply overwrite its turn. */
function checkedNewId(newId: () => string): () => string {
  return () => {
    const id = newId();
    if (!isValidId(id) || isReplyId(id)) {
      throw new RangeError(`newId made ${JSON.stringify(id)}: ids must match [A-Za-z0-9_-]{8,128} and not end with "_r"`);
    }
    return id;
  };
}

/** The error a Worker without its conversation objects gives, with what to add to `wrangler.jsonc`. */
export const MISSING_CONVERSATIONS_MESSAGE =
  'chatkeep needs its conversation object: pass `conversations` to createChatWorker (e.g. `(env) => env.CHAT_CONVERSATIONS`), ' +
  'export the class from createConversationClass in your main module, and declare it in wrangler.jsonc:\n' +
  '  "durable_objects": { "bindings": [{ "name": "CHAT_CONVERSATIONS", "class_name": "ChatConversation" }] },\n' +
  '  "migrations": [{ "tag": "v1", "new_sqlite_classes": ["ChatConversation"] }]';

/** Thrown when the Worker is configured in a way that cannot run; answered as a 500 (a deploy mistake). */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

function requiredConversations<E>(given: FromEnv<ChatDurableObjectNamespace | undefined, E> | undefined): (env: E) => ChatDurableObjectNamespace {
  if (given === undefined) return () => {
    throw new ConfigurationError(MISSING_CONVERSATIONS_MESSAGE);
  };
  const read = fromEnv(given);
  return (env) => {
    const namespace = read(env);
    if (namespace === undefined || namespace === null) throw new ConfigurationError(MISSING_CONVERSATIONS_MESSAGE);
    return namespace;
  };
}

export function resolveOptions<E>(
  options: ConversationObjectOptions<E> & { conversations?: ChatWorkerOptions<E>['conversations'] },
  defaults: { model: () => ModelProvider; newId: (now: () => number) => () => string },
): ResolvedOptions<E> {
  const now = options.now ?? Date.now;
  const checkpointIntervalMs = positive(
    'checkpointIntervalMs',
    options.checkpointIntervalMs ?? CHECKPOINT_INTERVAL_MS,
    CHECKPOINT_INTERVAL_MS,
  );
  const modelIdleTimeoutMs = positive('modelIdleTimeoutMs', options.modelIdleTimeoutMs ?? DEFAULT_MODEL_IDLE_TIMEOUT_MS);
  const basePath = (options.basePath ?? DEFAULT_BASE_PATH).replace(/\/+$/, '');
  return {
    model: options.model === undefined ? defaults.model : fromEnv(options.model),
    kv:
      options.kv === undefined
        ? (env: E) => {
            const kv = (env as ChatWorkerEnv | undefined)?.CHAT_KV;
            if (kv === undefined) throw new Error('No KV namespace: bind CHAT_KV or pass the `kv` option');
            return kv;
          }
        : fromEnv(options.kv),
    conversations: requiredConversations(options.conversations),
    basePath,
    retentionSeconds: positive('retentionSeconds', options.retentionSeconds ?? DEFAULT_RETENTION_SECONDS, MIN_RETENTION_SECONDS),
    contextWindow: positive('contextWindow', options.contextWindow ?? DEFAULT_CONTEXT_WINDOW, 0),
    systemPrompt: options.systemPrompt,
    limits: {
      maxBodyBytes: positive('limits.maxBodyBytes', options.limits?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
      maxContentChars: positive('limits.maxContentChars', options.limits?.maxContentChars ?? DEFAULT_MAX_CONTENT_CHARS),
      maxTurnsPerSession: positive(
        'limits.maxTurnsPerSession',
        options.limits?.maxTurnsPerSession ?? DEFAULT_MAX_TURNS_PER_SESSION,
      ),
    },
    authorize: options.authorize,
    corsOrigins: options.corsOrigins ?? [],
    staleStreamingMs: staleLimit(options.staleStreamingMs, modelIdleTimeoutMs, checkpointIntervalMs),
    checkpointIntervalMs,
    modelIdleTimeoutMs,
    pingIntervalMs: positive('pingIntervalMs', options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS),
    now,
    newId: options.newId === undefined ? defaults.newId(now) : checkedNewId(options.newId),
    rateLimiter: options.rateLimiter === undefined ? () => undefined : fromEnv(options.rateLimiter),
    rateLimitKey: options.rateLimitKey ?? ((_request, sessionId) => sessionId),
    log: options.log ?? ((error: unknown) => console.error(error)),
    owner: options.owner ?? ownerOfAuthorizer<E>(options.authorize),
    titles: options.titles ?? 'turn',
  };
}
