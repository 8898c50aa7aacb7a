/**
 * A KVNamespace that forwards every call to a real one (the local KV in workerd) while counting operations per
 * kind, and can be told to fail chosen calls — to check op budgets and behaviour under KV faults.
 */
export type KvOp = 'get' | 'put' | 'list' | 'delete';

export interface KvSpy {
  kv: KVNamespace;
  counts: Record<KvOp, number>;
  /** Keys passed to `put`, in order. */
  putKeys: string[];
  reset(): void;
  /** Makes calls fail while `predicate` returns true for them. */
  failWhen(predicate: ((op: KvOp, key: string, value: string | undefined) => boolean) | undefined): void;
}

export function spyKv(real: KVNamespace): KvSpy {
  const counts: Record<KvOp, number> = { get: 0, put: 0, list: 0, delete: 0 };
  const putKeys: string[] = [];
  let fail: ((op: KvOp, key: string, value: string | undefined) => boolean) | undefined;
  const check = (op: KvOp, key: string, value?: string) => {
    counts[op]++;
    if (fail?.(op, key, value)) throw new Error(`KV ${op} failed (injected) for ${key}`);
  };
  const kv = {
    async get(key: string, options?: unknown) {
      check('get', key);
      return real.get(key, options as 'text');
    },
    async getWithMetadata(key: string, options?: unknown) {
      check('get', key);
      return real.getWithMetadata(key, options as 'text');
    },
    async put(key: string, value: string, options?: KVNamespacePutOptions) {
      check('put', key, value);
      putKeys.push(key);
      return real.put(key, value, options);
    },
    async list(options?: KVNamespaceListOptions) {
      check('list', options?.prefix ?? '');
      return real.list(options);
    },
    async delete(key: string) {
      check('delete', key);
      return real.delete(key);
    },
  } as unknown as KVNamespace;
  return {
    kv,
    counts,
    putKeys,
    reset() {
      for (const op of Object.keys(counts) as KvOp[]) counts[op] = 0;
      putKeys.length = 0;
    },
    failWhen(predicate) {
      fail = predicate;
    },
  };
}

export function totalOps(spy: KvSpy): number {
  return spy.counts.get + spy.counts.put + spy.counts.list + spy.counts.delete;
}
