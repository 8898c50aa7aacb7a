// The Workers runtime objects chatkeep's public API takes, declared here by the members chatkeep uses rather than
// taken from `@cloudflare/workers-types`. The published typings then compile in any app: one whose tsconfig has the
// DOM lib and no Workers globals (a browser half and a Worker half in one project), one with the Workers types as
// ambient globals, or one that imports them; every `KVNamespace` and `ExecutionContext` from those typings fits.

/** One key of a {@link ChatKvNamespace} listing. */
export interface ChatKvListKey<Metadata> {
  name: string;
  expiration?: number;
  metadata?: Metadata;
}

/** A page of a {@link ChatKvNamespace} listing; `cursor` leads to the next page while `list_complete` is false. */
export type ChatKvListResult<Metadata> =
  | { list_complete: false; keys: ChatKvListKey<Metadata>[]; cursor: string }
  | { list_complete: true; keys: ChatKvListKey<Metadata>[] };

/**
 * The Workers KV namespace chatkeep stores conversations in: a `KVNamespace` binding fits as it is.
 *
 * @example
 * ```ts
 * interface Env { CHAT_KV: KVNamespace }
 * const chat = createChatWorker<Env>({ kv: (env) => env.CHAT_KV });
 * ```
 */
export interface ChatKvNamespace {
  get(key: string, type: 'text'): Promise<string | null>;
  getWithMetadata<Metadata = unknown>(key: string, type: 'text'): Promise<{ value: string | null; metadata: Metadata | null }>;
  put(key: string, value: string, options?: { expiration?: number; expirationTtl?: number; metadata?: unknown }): Promise<void>;
  delete(key: string): Promise<void>;
  list<Metadata = unknown>(options?: { prefix?: string | null; limit?: number; cursor?: string | null }): Promise<ChatKvListResult<Metadata>>;
}

/**
 * What chatkeep needs of a request's `ExecutionContext`: the Worker's `ctx` fits as it is.
 *
 * @example
 * ```ts
 * export default { fetch: (request: Request, env: Env, ctx: ExecutionContext) => chat.fetch(request, env, ctx) };
 * ```
 */
export interface ChatExecutionContext {
  /** Keeps the Worker alive until the promise settles, after the response is sent (a reply runs to its end). */
  waitUntil(promise: Promise<unknown>): void;
}

/** A Durable Object id, as a namespace's `idFromName` makes it. */
export interface ChatDurableObjectId {
  toString(): string;
}

/** The body of the one internal request the Worker sends a conversation object per call. */
export interface ChatObjectRequestInit {
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** What chatkeep asks of a conversation object's stub: a `DurableObjectStub` fits as it is. */
export interface ChatDurableObjectStub {
  fetch(input: string, init: ChatObjectRequestInit): Promise<unknown>;
}

/**
 * The conversation objects' namespace (a Durable Object binding): a `DurableObjectNamespace` fits as it is.
 *
 * @example
 * ```ts
 * interface Env { CHAT_KV: KVNamespace; CHAT_CONVERSATIONS: DurableObjectNamespace }
 * const chat = createChatWorker<Env>({ conversations: (env) => env.CHAT_CONVERSATIONS });
 * ```
 */
export interface ChatDurableObjectNamespace {
  idFromName(name: string): ChatDurableObjectId;
  get(id: ChatDurableObjectId): ChatDurableObjectStub;
}

/**
 * The part of a Durable Object's storage a conversation object uses: the replies it is running, the records it owes
 * KV, and the alarm that retries them.
 */
export interface ChatDurableObjectStorage {
  get<T = unknown>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
  delete(key: string): Promise<boolean>;
  deleteAll(): Promise<void>;
  list<T = unknown>(options?: { prefix?: string }): Promise<Map<string, T>>;
  setAlarm(scheduledTime: number): Promise<void>;
}

/** What a conversation object needs of its `DurableObjectState`: the runtime's state fits as it is. */
export interface ChatDurableObjectState {
  readonly storage: ChatDurableObjectStorage;
  blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>;
  waitUntil(promise: Promise<unknown>): void;
}

/** A conversation object, as the runtime calls it. */
export interface ChatDurableObject {
  fetch(request: Request): Promise<Response>;
  /** Called by the runtime when the alarm the object set is due. */
  alarm(): Promise<void>;
}
