/**
 * Workers KV in a Map: the part of KV's contract chatkeep relies on, held to the same conformance suite as the real
 * local KV in workerd (test/testing/kv-conformance.ts). Values are stored as bytes and metadata as JSON, so a later
 * change to a caller's object is never seen; keys are listed in byte order by prefix, at most 1,000 per page with a
 * cursor; an entry past its expiration is gone.
 */

/** How `get` returns a value. */
export type KvValueType = 'text' | 'json' | 'arrayBuffer' | 'stream';

/** `put` options, as in Workers KV. */
export interface KvPutOptions {
  /** Seconds since the epoch after which the entry is gone (at least 60 s ahead). */
  expiration?: number;
  /** Seconds from now after which the entry is gone (at least 60). */
  expirationTtl?: number;
  /** Up to 1,024 bytes of JSON, returned by `list` and `getWithMetadata`. */
  metadata?: unknown;
}

/** `list` options, as in Workers KV. */
export interface KvListOptions {
  prefix?: string | null;
  /** At most 1,000. */
  limit?: number;
  /** The `cursor` of the previous page. */
  cursor?: string | null;
}

export interface KvListKey {
  name: string;
  /** Seconds since the epoch, when the entry expires. */
  expiration?: number;
  metadata?: unknown;
}

export type KvListResult =
  | { keys: KvListKey[]; list_complete: false; cursor: string; cacheStatus: string | null }
  | { keys: KvListKey[]; list_complete: true; cacheStatus: string | null };

export interface KvValueWithMetadata<V> {
  value: V | null;
  metadata: unknown;
  cacheStatus: string | null;
}

type KvValue = string | ArrayBuffer | ArrayBufferView | ReadableStream;
type TypeOption<T extends KvValueType> = T | { type: T };

/**
 * The calls of a KV namespace that chatkeep makes, typed without the Workers globals so a node test needs no
 * `@cloudflare/workers-types`. The real `env.CHAT_KV` has this shape too.
 */
export interface KvBinding {
  get(key: string, type?: TypeOption<'text'>): Promise<string | null>;
  get<T = unknown>(key: string, type: TypeOption<'json'>): Promise<T | null>;
  get(key: string, type: TypeOption<'arrayBuffer'>): Promise<ArrayBuffer | null>;
  get(key: string, type: TypeOption<'stream'>): Promise<ReadableStream | null>;
  getWithMetadata(key: string, type?: TypeOption<'text'>): Promise<KvValueWithMetadata<string>>;
  getWithMetadata<T = unknown>(key: string, type: TypeOption<'json'>): Promise<KvValueWithMetadata<T>>;
  put(key: string, value: KvValue, options?: KvPutOptions): Promise<void>;
  delete(key: string): Promise<void>;
  list(options?: KvListOptions): Promise<KvListResult>;
}

/** What the memory KV holds, for assertions; reads see only live (unexpired) entries. */
export interface MemoryKv extends KvBinding {
  /** Live keys, in list order. */
  keys(): string[];
  /** Forgets every entry. */
  clear(): void;
}

export interface MemoryKvOptions {
  /**
   * The clock expirations are judged by, in ms since the epoch; pass the Worker's clock to expire entries without
   * waiting.
   * @defaultValue `Date.now`
   */
  now?: () => number;
}

/** KV's limits (developers.cloudflare.com/kv/platform/limits). */
export const KV_LIST_LIMIT = 1000;
export const KV_MAX_KEY_BYTES = 512;
export const KV_MAX_METADATA_BYTES = 1024;
export const KV_MAX_VALUE_BYTES = 25 * 1024 * 1024;
export const KV_MIN_TTL_SECONDS = 60;

interface Entry {
  bytes: Uint8Array;
  metadataJson: string | undefined;
  /** Seconds since the epoch. */
  expiration: number | undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function checkKey(key: string): void {
  if (key === '') throw new TypeError('Key names must not be empty');
  if (key === '.' || key === '..') throw new TypeError(`Illegal key name "${key}"`);
  const length = encoder.encode(key).byteLength;
  if (length > KV_MAX_KEY_BYTES) {
    throw new TypeError(`KV failed: 414 UTF-8 encoded length of ${length} exceeds key length limit of ${KV_MAX_KEY_BYTES}.`);
  }
}

async function toBytes(value: KvValue): Promise<Uint8Array> {
  if (typeof value === 'string') return encoder.encode(value);
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  return new Uint8Array(await new Response(value).arrayBuffer());
}

function typeOf(type: TypeOption<KvValueType> | undefined): KvValueType {
  if (type === undefined) return 'text';
  return typeof type === 'string' ? type : type.type;
}

function valueAs(bytes: Uint8Array, type: KvValueType): unknown {
  switch (type) {
    case 'text':
      return decoder.decode(bytes);
    case 'json':
      return JSON.parse(decoder.decode(bytes));
    case 'arrayBuffer':
      return bytes.slice().buffer;
    case 'stream':
      return new Response(bytes.slice()).body;
  }
}

// KV lists keys in the order of their UTF-8 bytes; comparing UTF-16 code units differs only above U+FFFF.
function byBytes(a: string, b: string): number {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    if (left[i] !== right[i]) return (left[i] ?? 0) - (right[i] ?? 0);
  }
  return left.length - right.length;
}

const encodeCursor = (lastKey: string): string => btoa(String.fromCharCode(...encoder.encode(lastKey)));
const decodeCursor = (cursor: string): string => decoder.decode(Uint8Array.from(atob(cursor), (c) => c.charCodeAt(0)));

/**
 * A KV namespace in memory, for node tests of code that takes a KV binding (`createChatWorker({ kv })` among them).
 *
 * @example
 * ```ts
 * const kv = memoryKv();
 * await kv.put('message:abc:1', '{"id":"1"}', { expirationTtl: 3600, metadata: { role: 'user' } });
 * const page = await kv.list({ prefix: 'message:abc:' });
 * ```
 */
export function memoryKv(options: MemoryKvOptions = {}): MemoryKv {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();

  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry?.expiration !== undefined && entry.expiration * 1000 <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const liveKeys = (prefix: string): string[] =>
    [...entries.keys()].filter((key) => key.startsWith(prefix) && live(key) !== undefined).sort(byBytes);

  const expirationFor = (putOptions: KvPutOptions | undefined): number | undefined => {
    const nowSeconds = Math.floor(now() / 1000);
    if (putOptions?.expirationTtl !== undefined) {
      const ttl = putOptions.expirationTtl;
      if (!Number.isFinite(ttl) || ttl < KV_MIN_TTL_SECONDS) {
        throw new TypeError(`KV PUT failed: 400 Invalid expiration_ttl of ${ttl}. Expiration TTL must be at least ${KV_MIN_TTL_SECONDS}.`);
      }
      return nowSeconds + Math.floor(ttl);
    }
    if (putOptions?.expiration !== undefined) {
      const expiration = putOptions.expiration;
      if (!Number.isFinite(expiration) || expiration < nowSeconds + KV_MIN_TTL_SECONDS) {
        throw new TypeError(`KV PUT failed: 400 Invalid expiration of ${expiration}. Expiration times must be at least ${KV_MIN_TTL_SECONDS} seconds in the future.`);
      }
      return Math.floor(expiration);
    }
    return undefined;
  };

  const read = (key: string, type: TypeOption<KvValueType> | undefined): { entry: Entry | undefined; value: unknown } => {
    checkKey(key);
    const entry = live(key);
    return { entry, value: entry === undefined ? null : valueAs(entry.bytes, typeOf(type)) };
  };

  const kv = {
    async get(key: string, type?: TypeOption<KvValueType>) {
      return read(key, type).value;
    },
    async getWithMetadata(key: string, type?: TypeOption<KvValueType>) {
      const { entry, value } = read(key, type);
      const metadata: unknown = entry?.metadataJson === undefined ? null : JSON.parse(entry.metadataJson);
      return { value, metadata, cacheStatus: null };
    },
    async put(key: string, value: KvValue, putOptions?: KvPutOptions) {
      checkKey(key);
      const expiration = expirationFor(putOptions);
      const metadataJson = putOptions?.metadata === undefined ? undefined : JSON.stringify(putOptions.metadata);
      if (metadataJson !== undefined && encoder.encode(metadataJson).byteLength > KV_MAX_METADATA_BYTES) {
        throw new TypeError(`KV PUT failed: 413 Metadata length exceeds limit of ${KV_MAX_METADATA_BYTES}.`);
      }
      const bytes = await toBytes(value);
      if (bytes.byteLength > KV_MAX_VALUE_BYTES) {
        throw new TypeError(`KV PUT failed: 413 Value length of ${bytes.byteLength} exceeds limit of ${KV_MAX_VALUE_BYTES}.`);
      }
      entries.set(key, { bytes, metadataJson, expiration });
    },
    async delete(key: string) {
      checkKey(key);
      entries.delete(key);
    },
    async list(listOptions: KvListOptions = {}): Promise<KvListResult> {
      const limit = listOptions.limit ?? KV_LIST_LIMIT;
      if (!Number.isInteger(limit) || limit < 1 || limit > KV_LIST_LIMIT) {
        throw new TypeError(`KV LIST failed: 400 Invalid key_count_limit of ${limit}. Please specify an integer between 1 and ${KV_LIST_LIMIT}.`);
      }
      // The cursor names the last key returned, so a page stays right when keys are added or deleted in between.
      const after = listOptions.cursor ? decodeCursor(listOptions.cursor) : undefined;
      const names = liveKeys(listOptions.prefix ?? '').filter((name) => after === undefined || byBytes(name, after) > 0);
      const page = names.slice(0, limit).map((name): KvListKey => {
        const entry = entries.get(name);
        return {
          name,
          ...(entry?.expiration === undefined ? {} : { expiration: entry.expiration }),
          ...(entry?.metadataJson === undefined ? {} : { metadata: JSON.parse(entry.metadataJson) as unknown }),
        };
      });
      const last = page.at(-1);
      return names.length > limit && last !== undefined
        ? { keys: page, list_complete: false, cursor: encodeCursor(last.name), cacheStatus: null }
        : { keys: page, list_complete: true, cacheStatus: null };
    },
    keys: () => liveKeys(''),
    clear: () => entries.clear(),
  };
  return kv as MemoryKv;
}
