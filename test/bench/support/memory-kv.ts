/**
 * A KV namespace in a Map, for benchmarks that run the Worker's code in node (CPU time, memory, timing with
 * injected latency), where workerd's KV is out of reach. Keeps the parts of KV's contract the Worker relies on:
 * values as text, list metadata, keys listed in order by prefix, at most 1,000 per page with a cursor.
 */
const LIST_LIMIT = 1000;

interface Entry {
  value: string;
  metadata: unknown;
}

/**
 * @example
 * ```ts
 * const worker = createChatWorker({ kv: memoryKv(), model });
 * ```
 */
export function memoryKv(): KVNamespace {
  const entries = new Map<string, Entry>();
  const read = (key: string, type: unknown): unknown => {
    const entry = entries.get(key);
    if (entry === undefined) return null;
    const kind = typeof type === 'object' && type !== null ? (type as { type?: string }).type : type;
    return kind === 'json' ? JSON.parse(entry.value) : entry.value;
  };
  const kv = {
    async get(key: string, type?: unknown) {
      return read(key, type);
    },
    async getWithMetadata(key: string, type?: unknown) {
      return { value: read(key, type), metadata: entries.get(key)?.metadata ?? null, cacheStatus: null };
    },
    async put(key: string, value: string, options?: KVNamespacePutOptions) {
      // Stored as KV stores them: serialized, so a later change to the caller's object is not seen.
      const metadata: unknown = options?.metadata === undefined ? null : JSON.parse(JSON.stringify(options.metadata));
      entries.set(key, { value: String(value), metadata });
    },
    async delete(key: string) {
      entries.delete(key);
    },
    async list(options?: KVNamespaceListOptions) {
      const prefix = options?.prefix ?? '';
      const limit = Math.min(options?.limit ?? LIST_LIMIT, LIST_LIMIT);
      const start = options?.cursor ? Number(options.cursor) : 0;
      const names = [...entries.keys()].filter((name) => name.startsWith(prefix)).sort();
      const page = names.slice(start, start + limit);
      const complete = start + limit >= names.length;
      return {
        keys: page.map((name) => ({ name, metadata: entries.get(name)?.metadata ?? undefined })),
        list_complete: complete,
        cursor: complete ? undefined : String(start + limit),
        cacheStatus: null,
      };
    },
  } as unknown as KVNamespace;
  return kv;
}
