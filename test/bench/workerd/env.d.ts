declare namespace Cloudflare {
  interface Env {
    CHAT_KV: KVNamespace;
    /** chatkeep's conversation object, storage writes counted (test/bench/workerd/main.ts). */
    BENCH_CONVERSATIONS: DurableObjectNamespace;
    /** The per-chunk pattern, storage writes counted. */
    PER_CHUNK_CONVERSATIONS: DurableObjectNamespace;
  }
}
