/**
 * A KV namespace that forwards every call to another one, counting operations by kind and optionally adding a
 * fixed latency to each call (to stand in for the network between a Worker and KV's central store).
 */
export type KvOperation = 'get' | 'put' | 'list' | 'delete';

export interface CountingKvOptions {
  /**
   * Added before each call is forwarded.
   * @defaultValue 0
   */
  latencyMs?: number;
  /**
   * How the latency is waited for.
   * @defaultValue a `setTimeout`
   */
  sleep?: (ms: number) => Promise<void>;
}

export interface CountingKv {
  kv: KVNamespace;
  counts: Record<KvOperation, number>;
  /** get + put + list + delete. */
  total(): number;
  reset(): void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * @example
 * ```ts
 * const counted = countingKv(env.CHAT_KV);
 * const worker = createChatWorker({ kv: counted.kv });
 * ```
 */
export function countingKv(inner: KVNamespace, options: CountingKvOptions = {}): CountingKv {
  const counts: Record<KvOperation, number> = { get: 0, put: 0, list: 0, delete: 0 };
  const latencyMs = options.latencyMs ?? 0;
  const sleep = options.sleep ?? defaultSleep;
  const before = async (op: KvOperation) => {
    counts[op]++;
    if (latencyMs > 0) await sleep(latencyMs);
  };
  // Only the calls the Worker makes are forwarded; the overloads of KVNamespace are collapsed onto them.
  const kv = {
    async get(key: string, type?: unknown) {
      await before('get');
      return inner.get(key, type as 'text');
    },
    async getWithMetadata(key: string, type?: unknown) {
      await before('get');
      return inner.getWithMetadata(key, type as 'text');
    },
    async put(key: string, value: string, putOptions?: KVNamespacePutOptions) {
      await before('put');
      return inner.put(key, value, putOptions);
    },
    async list(listOptions?: KVNamespaceListOptions) {
      await before('list');
      return inner.list(listOptions);
    },
    async delete(key: string) {
      await before('delete');
      return inner.delete(key);
    },
  } as unknown as KVNamespace;
  return {
    kv,
    counts,
    total: () => counts.get + counts.put + counts.list + counts.delete,
    reset() {
      counts.get = counts.put = counts.list = counts.delete = 0;
    },
  };
}
