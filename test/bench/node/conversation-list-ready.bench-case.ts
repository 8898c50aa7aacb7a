// Row 13: ConversationList ready from its IndexedDB cache with 1,000 conversations, against one bare getAll.
import { IDBFactory } from 'fake-indexeddb';
import { expect, it } from 'vitest';
import type { ConversationSummary } from '../../../sdk/protocol-conversations';
import { ConversationList } from '../../../sdk/index';
import { listStore } from '../../../sdk/conversations/list-store';
import type { ConversationRow } from '../../../sdk/storage/list-rows';
import { median, ms, ratio, report } from '../figures';

const CONVERSATIONS = 1_000;
const WARMUP_RUNS = 3;
const RUNS = 21;
const OWNER = 'bench-owner-key-0000000000';
const GOAL = 1.5;

function cachedRows(): ConversationRow[] {
  const start = Date.UTC(2026, 5, 1);
  return Array.from({ length: CONVERSATIONS }, (_, i): ConversationRow => {
    const at = new Date(start + i * 60_000).toISOString();
    const summary: ConversationSummary = {
      sessionId: `bench-conversation-${i.toString().padStart(6, '0')}`,
      title: `A conversation about bread, number ${i}`,
      createdAt: at,
      updatedAt: at,
      messageCount: 12,
      lastMessage: { role: 'assistant', status: 'complete', preview: 'Knead it for ten minutes, then let it rest somewhere warm until it has doubled.' },
    };
    return { id: `c:${OWNER}:${summary.sessionId}`, owner: OWNER, summary };
  });
}

/** From `new ConversationList` to its `ready`, the cached list shown (no network: every request fails at once). */
async function listReady(factory: IDBFactory): Promise<number> {
  const started = performance.now();
  const list = new ConversationList({
    ownerKey: OWNER,
    indexedDB: factory,
    fetch: () => Promise.reject(new TypeError('offline')),
    BroadcastChannel: null,
    locks: null,
    onlineEvents: null,
  });
  await list.ready;
  const elapsed = performance.now() - started;
  expect(list.conversations).toHaveLength(CONVERSATIONS);
  await list.sync().catch(() => undefined);
  list.close();
  return elapsed;
}

/** A request's result, as a promise. */
function result<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** The floor: open the same database and read the same records with one `getAll`, in bare IndexedDB. */
async function bareGetAll(factory: IDBFactory): Promise<number> {
  const started = performance.now();
  const db = await result(factory.open('chatkeep'));
  const rows = await result(db.transaction('conversations').objectStore('conversations').getAll());
  const elapsed = performance.now() - started;
  expect(rows.length).toBeGreaterThanOrEqual(CONVERSATIONS);
  db.close();
  return elapsed;
}

it('ConversationList ready from cache with 1,000 conversations', async () => {
  const factory = new IDBFactory();
  const seed = listStore(factory);
  await seed.write({ rows: cachedRows() });
  seed.close();

  const lists: number[] = [];
  const bare: number[] = [];
  for (let run = 0; run < WARMUP_RUNS + RUNS; run++) {
    // Alternated, so a slow moment of the machine falls on both.
    const a = await listReady(factory);
    const b = await bareGetAll(factory);
    if (run < WARMUP_RUNS) continue;
    lists.push(a);
    bare.push(b);
  }
  const chatkeep = median(lists);
  const baseline = median(bare);
  report({
    row: 13,
    order: 10,
    measure: `ConversationList ready from cache, ${CONVERSATIONS.toLocaleString('en')} conversations`,
    chatkeep: ms(chatkeep),
    baseline: ms(baseline),
    baselineName: "open the database and one getAll of the same records",
    ratio: ratio(chatkeep, baseline),
    goal: `<= ${GOAL}x`,
    met: chatkeep <= GOAL * baseline,
    method: `node, fake-indexeddb; median of ${RUNS} runs each (after ${WARMUP_RUNS} warm-up), alternated; the list from its constructor to ready (owner key given, network failing at once), the baseline from indexedDB.open to getAll's result, bare IndexedDB`,
  });
});
