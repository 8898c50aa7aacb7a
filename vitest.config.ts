import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        // The Worker, inside workerd, with a real local KV (isolated per test file).
        plugins: [
          cloudflareTest({
            // The deployable Worker's exports plus a conversation object whose options each test chooses.
            main: './test/worker/support/main.ts',
            wrangler: { configPath: './wrangler.jsonc' },
            miniflare: {
              bindings: { DEMO_DELAY_MS: '0' },
              durableObjects: {
                CHAT_CONVERSATIONS: { className: 'ChatConversation', useSQLite: true },
                TEST_CONVERSATIONS: { className: 'TestConversation', useSQLite: true },
              },
            },
          }),
        ],
        test: {
          name: 'worker',
          include: ['test/worker/**/*.test.ts'],
          // A fake OpenAI-compatible server on loopback for the openai provider's tests, and the deployable Worker
          // under wrangler dev for the tests that need truly separate requests.
          // The runtime's log lines for the closes these suites make on purpose are dropped (see the filter).
          globalSetup: [
            'test/worker/support/runtime-log-filter.ts',
            'test/worker/support/openai-server.ts',
            'test/worker/support/dev-server.ts',
          ],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The SDK in node: fake-indexeddb, unit tests, and integration tests against the real Worker (wrangler dev).
        test: {
          name: 'sdk',
          environment: 'node',
          include: ['test/sdk/**/*.test.ts'],
          setupFiles: ['test/support/sdk-setup.ts'],
          globalSetup: ['test/support/global-worker.ts'],
          // global.gc: a test proves a settled call leaves nothing reachable.
          execArgv: ['--expose-gc'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // `chatkeep/testing` and the README's example, in node with no browser global put in place: the built
        // package as an app imports it (`chatkeep`, `chatkeep/testing` resolve to dist/ by the package's exports).
        test: {
          name: 'testing',
          environment: 'node',
          include: ['test/testing/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        // The package as a user meets it: the packed tarball installed into an app outside the repository, the
        // README's commands, `npm start`.
        test: {
          name: 'package',
          environment: 'node',
          include: ['test/package/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 240_000,
        },
      },
      {
        // The demo in real Chromium against `wrangler dev`. The React example is also rendered in node, as a
        // server would, importing the hook as an app does.
        resolve: { alias: { 'chatkeep/react': fileURLToPath(new URL('./sdk/react/index.ts', import.meta.url)) } },
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/browser-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
