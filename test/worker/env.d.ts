declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import('./support/main');
  }
  interface Env {
    CHAT_KV: KVNamespace;
    CHAT_CONVERSATIONS: DurableObjectNamespace;
    /** The conversation object of the tests, built with the options the running test chose. */
    TEST_CONVERSATIONS: DurableObjectNamespace;
    MODEL_PROVIDER?: string;
    DEMO_DELAY_MS?: string;
  }
}
