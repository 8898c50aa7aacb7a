import { memoryKv as createMemoryKv, type MemoryKvOptions } from '../../../worker/testing/memory-kv';

/**
 * `chatkeep/testing`'s memory KV under the Workers type the benchmarks' KV wrappers and `createChatWorker` take: it
 * makes every call they make, and is held to the KV conformance suite.
 *
 * @example
 * ```ts
 * const worker = createChatWorker({ kv: memoryKv(), model });
 * ```
 */
export function memoryKv(options: MemoryKvOptions = {}): KVNamespace {
  return createMemoryKv(options) as unknown as KVNamespace;
}
