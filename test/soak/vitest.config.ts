import { defineConfig } from 'vitest/config';

/**
 * `npm run soak`: the load test, apart from `npm test` (it starts its own `wrangler dev` and runs for about a
 * minute). Sizes can be changed with SOAK_CONVERSATIONS, SOAK_TURNS, SOAK_CONCURRENCY and SOAK_DISCONNECT_RATE.
 */
export default defineConfig({
  root: new URL('../..', import.meta.url).pathname,
  test: {
    name: 'soak',
    environment: 'node',
    include: ['test/soak/**/*.test.ts'],
    testTimeout: 5 * 60_000,
    hookTimeout: 90_000,
  },
});
