import type { ChatDurableObjectNamespace, ChatKvNamespace } from './cloudflare-types';
import type { ModelProvider } from './providers/model-provider';
import type { OwnerOf } from './conversations/owner-key';

/** A value given directly, or read from the Worker's env on each request (bindings exist only there). */
export type FromEnv<T, E> = T | ((env: E) => T);

/** The env chatkeep reads when no `kv` option is given. */
export interface ChatWorkerEnv {
  CHAT_KV?: ChatKvNamespace;
}

/** What `authorize` may return: `false` refuses with 403 `forbidden`; `true` or nothing allows. */
export type AuthorizeResult = boolean | undefined | void;

/** The Workers Rate Limiting binding's shape (`[[unsafe.bindings]] type = "ratelimit"`), or anything like it. */
export interface RateLimiter {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/** Size limits on what a client may send. */
export interface ChatWorkerLimits {
  /**
   * Largest request body, checked against `Content-Length` and against the bytes actually read.
   * @defaultValue 131072 (128 KiB)
   */
  maxBodyBytes: number;
  /**
   * Longest user turn, in UTF-16 code units.
   * @defaultValue 20000
   */
  maxContentChars: number;
  /**
   * Most user turns one conversation may hold; a new turn past it gets 409 `too_many_turns`.
   * @defaultValue 1000
   */
  maxTurnsPerSession: number;
}

/** Options for `createChatWorker`. */
export interface ChatWorkerOptions<E = ChatWorkerEnv> {
  /**
   * The model that writes replies, or a function that builds it from env (for bindings and secrets).
   * @defaultValue the demo model, 40 ms a word
   */
  model?: FromEnv<ModelProvider, E>;
  /**
   * The KV namespace holding conversations. Every KV call goes through this binding.
   * @defaultValue `env.CHAT_KV`
   */
  kv?: FromEnv<ChatKvNamespace, E>;
  /**
   * The conversation object's namespace: a Durable Object binding whose class is `createConversationClass` called
   * with these same options, exported from the Worker's main module. One object per conversation runs every reply:
   * a turn sent twice from anywhere runs the model once, `GET {basePath}/chat/stream` follows a reply live, stop and
   * delete act at once, and a reply runs to its end however long after its client left. Required: a Worker whose
   * binding is missing answers every conversation request with a 500 naming it (and `wrangler.jsonc`'s lines).
   */
  conversations: FromEnv<ChatDurableObjectNamespace | undefined, E>;
  /**
   * Path every route lives under.
   * @defaultValue `'/api'`
   */
  basePath?: string;
  /**
   * How long a message is kept after its last write (KV's TTL; at least 60).
   * @defaultValue 604800 (7 days)
   */
  retentionSeconds?: number;
  /**
   * How many earlier messages (read from KV) the model sees besides the new user turn.
   * @defaultValue 20
   */
  contextWindow?: number;
  /**
   * A system message put before the conversation.
   * @defaultValue none
   */
  systemPrompt?: string;
  /**
   * Size limits; each one left out keeps its default.
   * @defaultValue `{ maxBodyBytes: 131072, maxContentChars: 20000, maxTurnsPerSession: 1000 }`
   */
  limits?: Partial<ChatWorkerLimits>;
  /**
   * Decides whether `request` may use `sessionId`. Return `false` to refuse with 403, or throw an `HttpError`
   * (e.g. 401 `unauthorized`) to answer exactly that. Called before anything is read or written.
   * @defaultValue allow all: a session id is a bearer capability
   */
  authorize?: (request: Request, sessionId: string, env: E) => AuthorizeResult | Promise<AuthorizeResult>;
  /**
   * Origins allowed to call cross-origin (CORS), or `'*'` for any. Same-origin requests are always allowed;
   * a cross-origin request from an origin not listed gets 403 `origin_not_allowed`.
   * @defaultValue `[]` (none)
   */
  corsOrigins?: readonly string[] | '*';
  /**
   * A `streaming` record not checkpointed for this long is reported as `error` / `interrupted`. A live reply can go
   * `modelIdleTimeoutMs + checkpointIntervalMs` without a checkpoint (a silent model), so it must be longer than that:
   * a shorter one is refused when the Worker is created, rather than showing live replies as interrupted. (A reply
   * waiting on a slow tool can go longer; past this limit history asks the reply's object, which answers for it.)
   * @defaultValue 60000, or twice `modelIdleTimeoutMs` when that is longer
   */
  staleStreamingMs?: number;
  /**
   * Least time between two checkpoints of a streaming reply (in its conversation object's storage: what a restart
   * keeps of it). At least 1000.
   * @defaultValue 1000
   */
  checkpointIntervalMs?: number;
  /**
   * A model that sends nothing for this long is cut off: the reply ends `error` / `model_timeout`, text kept. The
   * time a tool of the reply runs does not count (a stop cancels a tool; give a slow one a limit of its own). Must
   * be shorter than `staleStreamingMs` less `checkpointIntervalMs` (see there).
   * @defaultValue 30000
   */
  modelIdleTimeoutMs?: number;
  /**
   * An idle stream gets a `: ping` comment this often, so proxies and clients do not take it for dead.
   * @defaultValue 15000
   */
  pingIntervalMs?: number;
  /**
   * The server clock, in ms since the epoch.
   * @defaultValue `Date.now`
   */
  now?: () => number;
  /**
   * Makes ids for user turns sent in the older `{sessionId, prompt}` form. An id it makes that is not a valid id, or
   * that ends with the reply suffix (`_r`), fails the request rather than being written.
   * @defaultValue a UUIDv7 from `now()` and `crypto.getRandomValues`
   */
  newId?: () => string;
  /**
   * Limits `POST /chat`, `POST /chat/stop` and `DELETE /history` per key (by default the session id); a refusal is
   * 429 `rate_limited` with Retry-After.
   * @defaultValue no limit
   */
  rateLimiter?: FromEnv<RateLimiter | undefined, E>;
  /**
   * The key the rate limiter counts under.
   * @defaultValue the session id
   */
  rateLimitKey?: (request: Request, sessionId: string) => string;
  /**
   * Where unexpected errors (500s, failed writes after the stream started) are reported, and clients that hung up
   * during their upload (an `Error` named `ClientAbortError`, answered 400, never 500).
   * @defaultValue `console.error`
   */
  log?: (error: unknown) => void;
  /**
   * Who a request acts for, for the owner's conversation index (`GET`/`PATCH {basePath}/conversations`): an id
   * (`[A-Za-z0-9_-]{8,128}`, else 400 `invalid_owner`), or `null` for none.
   * @defaultValue the session token's `sub` with `hmacSessionAuthorizer`; else the `X-Chatkeep-Owner` header (an
   * owner key of at least 22 characters)
   */
  owner?: OwnerOf<E>;
  /**
   * Where a conversation's title in its owner's index comes from: its first user turn (cut to 60 characters), or
   * with `'model'` one short title the model writes after the first reply (the first turn's title if it fails).
   * @defaultValue `'turn'`
   */
  titles?: 'turn' | 'model';
}

/** The conversation object's options: the Worker's, less the binding of the object itself. */
export type ConversationObjectOptions<E = ChatWorkerEnv> = Omit<ChatWorkerOptions<E>, 'conversations'>;

/** Options with every default applied; values that depend on env are still functions of it. */
export interface ResolvedOptions<E> {
  model: (env: E) => ModelProvider;
  kv: (env: E) => ChatKvNamespace;
  /** The conversation objects' namespace; throws a `ConfigurationError` naming the binding when it is missing. */
  conversations: (env: E) => ChatDurableObjectNamespace;
  basePath: string;
  retentionSeconds: number;
  contextWindow: number;
  systemPrompt: string | undefined;
  limits: ChatWorkerLimits;
  authorize: ((request: Request, sessionId: string, env: E) => AuthorizeResult | Promise<AuthorizeResult>) | undefined;
  corsOrigins: readonly string[] | '*';
  staleStreamingMs: number;
  checkpointIntervalMs: number;
  modelIdleTimeoutMs: number;
  pingIntervalMs: number;
  now: () => number;
  newId: () => string;
  rateLimiter: (env: E) => RateLimiter | undefined;
  rateLimitKey: (request: Request, sessionId: string) => string;
  log: (error: unknown) => void;
  /** `undefined`: the owner key header. */
  owner: OwnerOf<E> | undefined;
  titles: 'turn' | 'model';
}
