declare namespace Cloudflare {
  interface Env {
    CHAT_KV: KVNamespace;
  }
}
