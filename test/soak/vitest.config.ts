import { defineConfig } from 'vitest/config';

/**
 * `npm run soak`: the load test, apart from `npm test` (it starts its own `wrangler dev` and runs for about two
 * minutes). Sizes can be changed with SOAK_CONVERSATIONS, SOAK_TURNS, SOAK_CONCURRENCY and SOAK_DISCONNECT_RATE.
 * `npm run soak -- --faults` (run.mjs sets SOAK_FAULTS) runs the fault soak instead (faults/), bounded at 15 minutes;
 * it also reads SOAK_KV_PUT_FAILURE_RATE, SOAK_ABORT_RATE, SOAK_DEMO_DELAY_MS and SOAK_SEED.
 */
const faults = process.env.SOAK_FAULTS === '1';

export default defineConfig({
  root: new URL('../..', import.meta.url).pathname,
  test: {
    name: 'soak',
    environment: 'node',
    include: faults ? ['test/soak/faults/**/*.test.ts'] : ['test/soak/**/*.test.ts'],
    exclude: faults ? [] : ['test/soak/faults/fault-soak.test.ts'],
    testTimeout: (faults ? 15 : 5) * 60_000,
    hookTimeout: 90_000,
  },
});
