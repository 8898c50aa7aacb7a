// Row 9: heap growth after 10,000 cached messages, and per streamed reply over 200 replies (a leak shows as growth).
import { getHeapSpaceStatistics } from 'node:v8';
import { IDBFactory } from 'fake-indexeddb';
import { expect, it } from 'vitest';
import { ChatClient, idbStorage, type Fetch } from '../../../sdk/index';
import { chatHost } from '../support/chat-host';
import { median, ratio, report } from '../figures';
import { bareClient } from '../support/bare-client';
import { memoryKv } from '../support/memory-kv';
import { pacedModel } from '../support/models';
import { conversationRecords } from '../support/records';

const CACHED = 10_000;
const REPLIES = 200;
/** Replies before the first sample: caches, JIT and pools reach their working size. */
const WARMUP_REPLIES = 20;
const SAMPLE_EVERY = 5;
const never: Fetch = () => new Promise<Response>(() => {});

/**
 * Heap in use after full collections, less the code space (needs --expose-gc; the bench config passes it): V8 goes
 * on compiling hot paths for hundreds of replies, and that machine code is no record kept.
 */
async function settledHeap(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  const code = getHeapSpaceStatistics().find((space) => space.space_name === 'code_space')?.space_used_size ?? 0;
  return process.memoryUsage().heapUsed - code;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/** Least-squares slope of heap against reply number: bytes retained per reply. */
function slope(points: readonly [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return num / den;
}

it(`heap growth with ${CACHED.toLocaleString('en')} cached messages`, async () => {
  const sessionId = 'bench-memory-cached';
  const factory = new IDBFactory();
  const seeding = idbStorage(factory);
  await seeding.put(sessionId, conversationRecords(sessionId, CACHED, 300));
  seeding.close();

  // The floor: the same records read with one getAll and held. A first read, let go, leaves fake-indexeddb's own
  // working state behind it (the connection, the store's indexes), so the measured read counts the records alone.
  const floorStorage = idbStorage(factory);
  (await floorStorage.load(sessionId)).length = 0;
  const before = await settledHeap();
  const held = await floorStorage.load(sessionId);
  const floor = (await settledHeap()) - before;
  expect(held).toHaveLength(CACHED);
  floorStorage.close();
  held.length = 0;

  const start = await settledHeap();
  const chat = new ChatClient({ endpoint: 'http://bench/api', sessionId, fetch: never, storage: idbStorage(factory) });
  await chat.ready;
  const growth = (await settledHeap()) - start;
  expect(chat.messages).toHaveLength(CACHED);
  chat.close();

  report({
    row: 9,
    order: 1,
    measure: `Heap growth, ${CACHED.toLocaleString('en')} cached messages loaded (300 chars each)`,
    chatkeep: kib(growth),
    baseline: kib(floor),
    baselineName: 'the same records from one getAll, held in an array',
    ratio: ratio(growth, floor),
    goal: '<= 1.5x the floor',
    met: growth <= floor * 1.5,
    method: `node --expose-gc, process.memoryUsage().heapUsed less the code space after gc(); new ChatClient (idbStorage over fake-indexeddb, history request left pending) to ready`,
  });
});

/** About 2.7 KB of text per reply: a leaked reply would stand well above the heap's noise. */
const PIECES = 300;

/** Sends REPLIES replies through `send`; returns the least-squares slope of the settled heap, in bytes per reply. */
async function growthPerReply(send: (i: number) => Promise<unknown>): Promise<number> {
  const points: [number, number][] = [];
  for (let i = 1; i <= REPLIES; i++) {
    await send(i);
    if (i >= WARMUP_REPLIES && i % SAMPLE_EVERY === 0) points.push([i, await settledHeap()]);
  }
  return slope(points);
}

const perReply = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB/reply`;

for (const [order, cleared] of [
  [2, true],
  [3, false],
] as const) {
  it(`heap growth per streamed reply over ${REPLIES} replies${cleared ? ', each conversation cleared' : ''}`, async () => {
    // Each side runs twice: once to warm up (V8 keeps compiling hot paths for a while, and optimized code is heap
    // too), then the measured run, on a new client and session.
    const chatkeepRun = async (pass: string) => {
      const host = chatHost({ kv: memoryKv(), model: pacedModel({ pieces: PIECES }) });
      const chat = new ChatClient({
        endpoint: 'http://bench/api',
        sessionId: `bench-memory-${pass}-${order}`,
        fetch: host.fetch,
        storage: idbStorage(new IDBFactory()),
      });
      await chat.ready;
      await chat.sync();
      const growth = await growthPerReply(async (i) => {
        const reply = await chat.send(`Reply number ${i}, please.`);
        expect(reply.status).toBe('complete');
        await host.settled();
        if (cleared) {
          await chat.clear();
          expect(chat.messages).toHaveLength(0);
        }
      });
      expect(chat.messages).toHaveLength(cleared ? 0 : REPLIES * 2);
      chat.close();
      return growth;
    };
    // The floor: the same Worker and KV, and a bare client that keeps the messages and caches each finished turn.
    const bareRun = async (pass: string) => {
      const host = chatHost({ kv: memoryKv(), model: pacedModel({ pieces: PIECES }) });
      const session = `bench-memory-bare-${pass}-${order}`;
      const storage = idbStorage(new IDBFactory());
      const bare = bareClient({ fetch: host.fetch, sessionId: session, storage });
      return growthPerReply(async (i) => {
        const reply = await bare.send(`${session}-u${i}`, `Reply number ${i}, please.`);
        expect(reply?.status).toBe('complete');
        await host.settled();
        if (cleared) {
          const deleted = await host.fetch(`http://bench/api/history?sessionId=${session}`, { method: 'DELETE' });
          expect(deleted.status).toBe(200);
          bare.messages.length = 0;
          await storage.drop(session);
        }
      });
    };
    await chatkeepRun('warm');
    await bareRun('warm');
    // Three measured passes each, interleaved, and the median slope of each side: one pass's slope moves by about a
    // KiB per reply from run to run, as much as the difference being measured.
    const oursSlopes: number[] = [];
    const floorSlopes: number[] = [];
    for (const pass of ['measured-1', 'measured-2', 'measured-3']) {
      oursSlopes.push(await chatkeepRun(pass));
      floorSlopes.push(await bareRun(pass));
    }
    const ours = median(oursSlopes);
    const floor = median(floorSlopes);

    const method = `node --expose-gc; ChatClient (idbStorage over fake-indexeddb) and the Worker in-process with a Map KV; least-squares slope of heapUsed less the code space after gc(), sampled every ${SAMPLE_EVERY} replies from reply ${WARMUP_REPLIES}, after a whole warm-up pass; the median of three interleaved passes per side`;
    report(
      cleared
        ? {
            row: 9,
            order,
            measure: `Heap growth per streamed reply (${PIECES} deltas), each followed by clear(): nothing is kept, so growth = leak`,
            chatkeep: perReply(ours),
            baseline: perReply(floor),
            baselineName: 'bare client, same Worker; DELETE /history, array and cache emptied',
            ratio: `${((ours - floor) / 1024).toFixed(1)} KiB/reply more`,
            goal: '~0: < 0.5 KiB/reply',
            met: ours < 512,
            method,
          }
        : {
            row: 9,
            order,
            measure: `Heap growth per streamed reply (${PIECES} deltas), conversation kept (2 records per reply stay in client, cache and KV)`,
            chatkeep: perReply(ours),
            baseline: perReply(floor),
            baselineName: 'bare client keeping the messages + caching finished turns, same Worker and KV',
            ratio: ratio(ours, floor),
            goal: '<= 1.25x the floor (what a reply must retain)',
            met: ours <= Math.max(floor, 1) * 1.25,
            method,
          },
    );
  });
}
