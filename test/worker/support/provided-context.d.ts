// Module augmentation (the `export {}` makes this a module, so the declaration extends vitest's types).
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    /** Root of the fake OpenAI-compatible server, e.g. `http://127.0.0.1:41234/v1`. */
    openaiBaseUrl: string;
    /** Origin of the Worker under `wrangler dev`. */
    devWorkerOrigin: string;
  }
}
