import { createEnvWorker } from './env-worker';

/** `worker/index.ts`'s default export: what `wrangler dev` and `wrangler deploy` run. */
const worker = createEnvWorker();
export default worker;
