// Row 4: IndexedDB writes per streamed reply of 500 deltas, and per reconcile with 0 and 10 changed messages.
import { IDBFactory } from 'fake-indexeddb';
import { expect, it } from 'vitest';
import { ChatClient, idbStorage } from '../../../sdk/index';
import { chatHost } from '../support/chat-host';
import { plural, report } from '../figures';
import { bareClient } from '../support/bare-client';
import { countingStorage, quiescent } from '../support/counting-storage';
import { memoryKv } from '../support/memory-kv';
import { manualClock, pacedModel } from '../support/models';
import { conversationRecords, seedRecords } from '../support/records';

const DELTAS = 500;
/** Each piece moves both clocks this much: a 10-second reply, so the client's checkpoint interval comes into play. */
const CLOCK_STEP_MS = 20;
const ENDPOINT = 'http://bench/api';
const METHOD =
  'node, ChatClient with idbStorage(fake-indexeddb) wrapped in a counting ChatStorage, talking to the Worker in-process (Map KV)';

it('IndexedDB writes per streamed reply of 500 deltas', async () => {
  const clock = manualClock();
  const model = pacedModel({ pieces: DELTAS, clock, clockStepMs: CLOCK_STEP_MS, realGapMs: 0 });
  const host = chatHost({ kv: memoryKv(), model, now: clock.now });

  const counted = countingStorage(idbStorage(new IDBFactory()));
  const chat = new ChatClient({ endpoint: ENDPOINT, sessionId: 'bench-idb-reply', fetch: host.fetch, storage: counted.storage, now: clock.now });
  await chat.ready;
  await chat.sync();
  await quiescent(counted.counts);
  counted.reset();
  const reply = await chat.send('Write me five hundred words.');
  await quiescent(counted.counts);
  await host.settled();
  chat.close();
  expect(reply.status).toBe('complete');
  const chatkeep = { ...counted.counts };

  const naive = countingStorage(idbStorage(new IDBFactory()));
  const bare = bareClient({ fetch: host.fetch, sessionId: 'bench-idb-naive', storage: naive.storage, writes: 'every-event' });
  const naiveReply = await bare.send('bench-idb-naive-u1', 'Write me five hundred words.');
  await host.settled();
  expect(naiveReply?.status).toBe('complete');

  report({
    row: 4,
    order: 1,
    measure: `IndexedDB writes per streamed reply (${DELTAS} deltas over 10 s)`,
    chatkeep: `${plural(chatkeep.transactions, 'transaction')}, ${plural(chatkeep.records, 'record')} (+${chatkeep.sessionWrites} session)`,
    baseline: `${plural(naive.counts.transactions, 'transaction')}, ${plural(naive.counts.records, 'record')}`,
    baselineName: 'cache written on every SSE event',
    ratio: `${(naive.counts.transactions / chatkeep.transactions).toFixed(0)}x fewer transactions`,
    goal: 'small constant: <= 3 + one per second of reply (13)',
    met: chatkeep.transactions <= 3 + (DELTAS * CLOCK_STEP_MS) / 1000,
    method: `${METHOD}; a model of ${DELTAS} pieces moving the shared clock ${CLOCK_STEP_MS} ms each; send() to its end, unawaited writes settled`,
  });
});

it('IndexedDB writes per reconcile, 0 and 10 changed of 100', async () => {
  const sessionId = 'bench-idb-reconcile';
  const kv = memoryKv();
  const host = chatHost({ kv, model: pacedModel({ pieces: 1 }) });
  const records = conversationRecords(sessionId, 100, 200);
  await seedRecords(kv, records);
  const factory = new IDBFactory();

  /**
   * One page load: a new client on the same database, its load-time sync awaited; returns its storage counts.
   * `forgetCursor` drops the saved history cursor first, so the whole history comes back and the merge alone must
   * tell that nothing changed.
   */
  const pageLoad = async (forgetCursor = false) => {
    if (forgetCursor) {
      const direct = idbStorage(factory);
      await direct.saveSession({ id: sessionId, at: Date.now() });
      direct.close();
    }
    const counted = countingStorage(idbStorage(factory));
    const chat = new ChatClient({ endpoint: ENDPOINT, sessionId, fetch: host.fetch, storage: counted.storage });
    await chat.ready;
    await chat.sync();
    await quiescent(counted.counts);
    const messages = chat.messages.length;
    chat.close();
    return { counts: { ...counted.counts }, messages };
  };

  const first = await pageLoad();
  expect(first.messages).toBe(100);
  const unchanged = await pageLoad();
  expect(unchanged.messages).toBe(100);
  const unchangedFull = await pageLoad(true);
  expect(unchangedFull.messages).toBe(100);
  const at = new Date().toISOString();
  await seedRecords(kv, records.slice(0, 10).map((m) => ({ ...m, content: `${m.content} (edited)`, updatedAt: at })));
  const changed = await pageLoad();
  expect(changed.messages).toBe(100);

  // The pattern without a merge: every record history returns is written back.
  const naive = countingStorage(idbStorage(new IDBFactory()));
  const history = (await (await host.fetch(`${ENDPOINT}/history?sessionId=${sessionId}`)).json()) as { messages: [] };
  await naive.storage.put(sessionId, history.messages);

  for (const [order, label, result, goal] of [
    [2, '0 changed of 100', unchanged, 0],
    [3, '0 changed of 100, whole history (no cursor)', unchangedFull, 0],
    [4, '10 changed of 100', changed, 10],
  ] as const) {
    report({
      row: 4,
      order,
      measure: `IndexedDB writes per reconcile, ${label} (page load + history sync)`,
      chatkeep: `${plural(result.counts.records, 'record')} in ${plural(result.counts.transactions, 'transaction')} (+${result.counts.sessionWrites} session)`,
      baseline: plural(naive.counts.records, 'record'),
      baselineName: 'write back every record history returns',
      ratio: `${naive.counts.records - result.counts.records} fewer records`,
      goal: `${goal} records`,
      met: result.counts.records <= goal,
      method: `${METHOD}; 100 messages in KV and in the cache, ${goal === 0 ? 'none' : '10'} changed on the server (content, updatedAt); a new client's load-time sync awaited`,
    });
  }
});
