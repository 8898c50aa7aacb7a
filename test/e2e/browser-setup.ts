/**
 * vitest globalSetup for the browser suite: finds Chromium and starts the real Worker (wrangler dev, local KV).
 *
 * Without Chromium the browser scenarios are skipped with a loud notice, unless CHATKEEP_REQUIRE_BROWSER=1 (set by
 * .ci/run), in which case a missing browser fails the run. The Worker starts either way: the stale-bundle check
 * needs no browser.
 */
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { startWorker } from '../support/wrangler-dev';

declare module 'vitest' {
  export interface ProvidedContext {
    workerOrigin: string;
    /** '' when no browser was found and the suite is skipped. */
    chromiumPath: string;
  }
}

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(CHROMIUM_PATH)) {
    const notice = [
      '',
      '='.repeat(78),
      ` BROWSER SUITE SKIPPED: no Chromium at ${CHROMIUM_PATH}.`,
      ' Install it with:  sudo apt-get update && sudo apt-get install -y chromium',
      ' (or point CHROMIUM_PATH at a Chromium binary), then run npm test again.',
      '='.repeat(78),
      '',
    ].join('\n');
    if (process.env.CHATKEEP_REQUIRE_BROWSER === '1') {
      throw new Error(`CHATKEEP_REQUIRE_BROWSER=1 but no Chromium at ${CHROMIUM_PATH}`);
    }
    process.stderr.write(notice);
  }
  const worker = await startWorker({ vars: { DEMO_DELAY_MS: '20' } });
  project.provide('chromiumPath', existsSync(CHROMIUM_PATH) ? CHROMIUM_PATH : '');
  project.provide('workerOrigin', worker.origin);
  return () => worker.stop();
}
