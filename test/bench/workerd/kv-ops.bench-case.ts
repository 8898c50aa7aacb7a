// Row 1: KV operations per history load, chatkeep's GET /history against list-then-get-each.
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { MAX_KV_OPS_PER_REQUEST, type HistoryResponseBody } from '../../../sdk/protocol';
import { sessionPrefix } from '../../../worker/store/message-key';
import { metadataFor } from '../../../worker/store/stored-message';
import { plural, report } from '../figures';
import { countingKv } from '../support/counting-kv';
import { chatHost } from '../support/chat-host';
import { pacedModel } from '../support/models';
import { conversationRecords, seedRecords } from '../support/records';

const METHOD_CHATKEEP =
  'workerd + real local KV behind a counting KVNamespace passed as createChatWorker({kv}); every page of GET /history (nextPage followed)';

/** chatkeep: every page of GET /history; returns the records read and the KV operations spent. */
async function chatkeepLoad(sessionId: string): Promise<{ ops: number; messages: number }> {
  const counted = countingKv(env.CHAT_KV);
  const host = chatHost({ kv: counted.kv, model: pacedModel({ pieces: 1 }) });
  let messages = 0;
  let page: string | null = null;
  do {
    const url = new URL('http://bench/api/history');
    url.searchParams.set('sessionId', sessionId);
    if (page !== null) url.searchParams.set('cursor', page);
    const response = await host.fetch(url);
    expect(response.status).toBe(200);
    const body = (await response.json()) as HistoryResponseBody;
    messages += body.messages.length;
    page = body.nextPage;
  } while (page !== null);
  return { ops: counted.total(), messages };
}

/** The naive pattern: list the prefix (every page), then one get per key. */
async function naiveLoad(sessionId: string): Promise<{ ops: number; messages: number }> {
  const counted = countingKv(env.CHAT_KV);
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await counted.kv.list({ prefix: sessionPrefix(sessionId), ...(cursor ? { cursor } : {}) });
    names.push(...page.keys.map((key) => key.name));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor !== undefined);
  let messages = 0;
  for (let i = 0; i < names.length; i += 50) {
    const values = await Promise.all(names.slice(i, i + 50).map((name) => counted.kv.get(name, 'text')));
    messages += values.filter((v) => v !== null).length;
  }
  return { ops: counted.total(), messages };
}

const cases = [
  { n: 10, chars: 300, order: 1 },
  { n: 100, chars: 300, order: 2 },
  { n: 1000, chars: 300, order: 3 },
  { n: 5000, chars: 300, order: 4 },
  // Replies longer than KV's metadata limit cannot be answered from list() alone.
  { n: 1000, chars: 2000, order: 5 },
];

for (const { n, chars, order } of cases) {
  it(`history load, N = ${n}, ${chars}-char messages`, async () => {
    const sessionId = `bench-history-${n}-${chars}`;
    const records = conversationRecords(sessionId, n, chars);
    await seedRecords(env.CHAT_KV, records);
    const chatkeep = await chatkeepLoad(sessionId);
    const naive = await naiveLoad(sessionId);
    expect(chatkeep.messages).toBe(n);
    expect(naive.messages).toBe(n);

    const lists = Math.ceil(n / 1000);
    // A record whose content does not fit in list metadata must be read; below the limit, list() alone suffices.
    const mustRead = records.filter((record) => metadataFor(record).content === undefined).length;
    // One request may spend 1,000 KV operations, so reads beyond that cost one more request, and its list().
    const floor = mustRead + Math.max(lists, Math.ceil(mustRead / (MAX_KV_OPS_PER_REQUEST - 1)));
    report({
      row: 1,
      order,
      measure: `KV ops per history load, N = ${n.toLocaleString('en')} (${chars}-char messages)`,
      chatkeep: plural(chatkeep.ops, 'op'),
      baseline: plural(naive.ops, 'op'),
      baselineName: 'list the prefix, then get each key',
      ratio:
        chatkeep.ops < naive.ops
          ? `${(naive.ops / chatkeep.ops).toFixed(1)}x fewer ops; floor ${floor}`
          : `${chatkeep.ops - naive.ops} more op(s) (one list per page); floor ${floor}`,
      goal:
        mustRead === 0
          ? `= floor ceil(N/1000) = ${floor}`
          : `= floor ${floor}: ${mustRead} gets (content over the metadata limit) + 1 list per request of <= 1,000 ops`,
      met: chatkeep.ops <= floor,
      method: METHOD_CHATKEEP,
    });
  });
}
