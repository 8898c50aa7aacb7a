import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
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
          globalSetup: ['test/worker/support/openai-server.ts', 'test/worker/support/dev-server.ts'],
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
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The demo in real Chromium against `wrangler dev`.
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
