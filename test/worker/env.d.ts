declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import('../../worker/index');
  }
  interface Env {
    CHAT_KV: KVNamespace;
    MODEL_PROVIDER?: string;
    DEMO_DELAY_MS?: string;
  }
}
