/**
 * `npm run bench`: the benchmark cases of issue 5, in the three places they must run — workerd with its real local
 * KV, node (fake-indexeddb, the Worker's code in-process, --expose-gc), and real Chromium. Kept apart from the main
 * vitest.config.ts (its globs match `*.test.ts`, these files are `*.bench-case.ts`), so `npm test` never runs them.
 * One file at a time: figures taken while another case loads both cores would mostly measure that case.
 */
import { resolve } from 'node:path';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { BenchReporter } from './reporter';

const root = resolve(import.meta.dirname, '../..');

export default defineConfig({
  root,
  test: {
    reporters: [new BenchReporter({ root, command: 'npm run bench' })],
    fileParallelism: false,
    maxWorkers: 1,
    projects: [
      {
        plugins: [
          cloudflareTest({
            // The deployable Worker's exports plus the bench's counted conversation objects.
            main: resolve(root, 'test/bench/workerd/main.ts'),
            wrangler: { configPath: resolve(root, 'wrangler.jsonc') },
            miniflare: {
              bindings: { DEMO_DELAY_MS: '0' },
              durableObjects: {
                CHAT_CONVERSATIONS: { className: 'ChatConversation', useSQLite: true },
                BENCH_CONVERSATIONS: { className: 'BenchConversation', useSQLite: true },
                PER_CHUNK_CONVERSATIONS: { className: 'PerChunkConversation', useSQLite: true },
              },
            },
          }),
        ],
        test: {
          name: 'bench-workerd',
          include: ['test/bench/workerd/**/*.bench-case.ts'],
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'bench-node',
          environment: 'node',
          include: ['test/bench/node/**/*.bench-case.ts'],
          // idb's wrapper looks up IDBRequest and friends as globals; the factory itself is passed to each client.
          setupFiles: ['fake-indexeddb/auto'],
          // global.gc for the memory row.
          execArgv: ['--expose-gc'],
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'bench-chromium',
          environment: 'node',
          include: ['test/bench/browser/**/*.bench-case.ts'],
          globalSetup: [resolve(root, 'test/e2e/browser-setup.ts')],
          testTimeout: 180_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
