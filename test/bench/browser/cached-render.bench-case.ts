// Row 5: time from `new ChatClient(...)` to `ready` with 1,000 and 10,000 cached messages, in real Chromium, against
// reading the same records with one bare IndexedDB getAll.
import { expect, it } from 'vitest';
import { browserAvailable, useBrowser } from '../../e2e/support/browser';
import { median, ms, ratio, report } from '../figures';

const RUNS = 10;
/** The SDK's database layout (sdk/storage/idb-storage.ts): the floor reads exactly what the client reads. */
const DB = { name: 'chatkeep', store: 'messages', index: 'sessionId' } as const;

interface Timings {
  chatkeep: number[];
  floor: number[];
  loaded: number;
}

const browser = useBrowser();

for (const [order, count] of [
  [1, 1000],
  [2, 10_000],
] as const) {
  it.skipIf(!browserAvailable)(`cached render, ${count} messages`, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // Any page of the Worker's origin will do; the SDK bundle itself is the lightest one.
    await page.goto('/build/chatkeep.js');
    await page.addScriptTag({ type: 'module', content: "import * as sdk from '/build/chatkeep.js'; window.chatkeepSdk = sdk;" });
    await page.waitForFunction(() => 'chatkeepSdk' in window);
    const result = await page.evaluate(
      async ({ count, runs, db }) => {
        type Sdk = typeof import('../../../sdk/index');
        const sdk = (window as unknown as { chatkeepSdk: Sdk }).chatkeepSdk;
        const sessionId = `bench-render-${count}`;
        const base = Date.parse('2026-01-01T00:00:00Z');
        const filler = 'the reply keeps streaming while the browser refreshes and every word lands in storage '.repeat(4);
        const records = Array.from({ length: count }, (_, i) => {
          const at = new Date(base + i * 1000).toISOString();
          return {
            id: `m${String(i).padStart(7, '0')}`,
            sessionId,
            role: i % 2 === 0 ? ('user' as const) : ('assistant' as const),
            content: `${i} ${filler}`.slice(0, 300),
            timestamp: at,
            updatedAt: at,
            status: 'complete' as const,
          };
        });
        const seeding = sdk.idbStorage(indexedDB);
        await seeding.put(sessionId, records);
        seeding.close();

        const bareGetAll = () =>
          new Promise<number>((resolve, reject) => {
            const open = indexedDB.open(db.name);
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const database = open.result;
              const request = database.transaction(db.store).objectStore(db.store).index(db.index).getAll(sessionId);
              request.onerror = () => reject(request.error);
              request.onsuccess = () => {
                database.close();
                resolve((request.result as unknown[]).length);
              };
            };
          });
        // History is left pending: `ready` must not wait for the network, and nothing the server says may change
        // what is measured.
        const never = () => new Promise<Response>(() => {});

        const timings: Timings = { chatkeep: [], floor: [], loaded: 0 };
        const pause = () => new Promise((resolve) => setTimeout(resolve, 50));
        const measureChatkeep = async () => {
          const started = performance.now();
          const chat = new sdk.ChatClient({ endpoint: '/api', sessionId, fetch: never });
          await chat.ready;
          const elapsed = performance.now() - started;
          timings.loaded = chat.messages.length;
          chat.close();
          return elapsed;
        };
        const measureFloor = async () => {
          const started = performance.now();
          const read = await bareGetAll();
          const elapsed = performance.now() - started;
          if (read !== count) throw new Error(`getAll read ${read} records`);
          return elapsed;
        };
        // Alternating which goes first, with a pause for the last connection to close and its garbage to go.
        for (let run = 0; run <= runs; run++) {
          let ours: number;
          let floor: number;
          if (run % 2 === 0) {
            ours = await measureChatkeep();
            await pause();
            floor = await measureFloor();
          } else {
            floor = await measureFloor();
            await pause();
            ours = await measureChatkeep();
          }
          await pause();
          if (run > 0) {
            timings.chatkeep.push(ours);
            timings.floor.push(floor);
          }
        }
        return timings;
      },
      { count, runs: RUNS, db: DB },
    );
    expect(result.loaded).toBe(count);
    const ours = median(result.chatkeep);
    const floor = median(result.floor);
    report({
      row: 5,
      order,
      measure: `Time to cached render (new ChatClient -> ready), ${count.toLocaleString('en')} messages`,
      chatkeep: ms(ours),
      baseline: ms(floor),
      baselineName: 'open the same database + one index getAll (the floor)',
      ratio: ratio(ours, floor),
      goal: '<= 1.5x the floor',
      met: ours <= floor * 1.5,
      method: `headless Chromium (/usr/bin/chromium via playwright-core, the browser suite's harness), demo/build/chatkeep.js on the Worker's origin, 300-char messages; performance.now(), history request held pending; median of ${RUNS} runs, alternating which goes first, after one warm-up`,
    });
    await context.close();
  });
}
