/**
 * vitest globalSetup: one real Worker (wrangler dev, local KV) for a whole project, its origin given to tests as
 * `inject('workerOrigin')`.
 */
import type { TestProject } from 'vitest/node';
import { startWorker } from './wrangler-dev';

declare module 'vitest' {
  export interface ProvidedContext {
    workerOrigin: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const worker = await startWorker();
  project.provide('workerOrigin', worker.origin);
  return () => worker.stop();
}
