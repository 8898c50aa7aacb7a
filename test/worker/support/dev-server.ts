/**
 * vitest globalSetup (runs in node): the deployable Worker under `wrangler dev`, for the tests that need separate
 * requests to be really separate. Inside the test pool every call shares one request context, so a rule like "one
 * request may not touch another's I/O" only shows against a real server.
 */
import type { TestProject } from 'vitest/node';
import { startWorker } from '../../support/wrangler-dev';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Origin of the Worker under `wrangler dev`, e.g. `http://127.0.0.1:41235`. */
    devWorkerOrigin: string;
  }
}

/** Slow enough that a stop or a disconnect lands mid-reply, fast enough for a short suite. */
export const DEV_DEMO_DELAY_MS = '25';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const worker = await startWorker({ vars: { DEMO_DELAY_MS: DEV_DEMO_DELAY_MS } });
  project.provide('devWorkerOrigin', worker.origin);
  return () => worker.stop();
}
