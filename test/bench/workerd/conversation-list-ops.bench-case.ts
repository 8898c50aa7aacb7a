// Row 12: KV operations to list an owner's N conversations, GET /conversations against listing each one's messages.
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import type { ConversationsResponseBody } from '../../../sdk/protocol-conversations';
import { handleConversations, IndexWriter } from '../../../worker/conversations/index';
import { sessionPrefix } from '../../../worker/store/message-key';
import { plural, report } from '../figures';
import { countingKv } from '../support/counting-kv';
import { conversationRecords, seedRecords } from '../support/records';

const METHOD =
  'workerd + real local KV behind a counting KVNamespace; every page of GET /conversations (the handler module, nextPage followed) for one owner key; index entries written by IndexWriter after each seeded exchange';

/** Every page of the owner's list; the conversations listed and the KV operations spent. */
async function chatkeepList(owner: string): Promise<{ ops: number; listed: number }> {
  const counted = countingKv(env.CHAT_KV);
  let listed = 0;
  let page: string | null = null;
  do {
    const url = new URL('http://bench/api/conversations');
    if (page !== null) url.searchParams.set('cursor', page);
    const response = await handleConversations(new Request(url, { headers: { 'x-chatkeep-owner': owner } }), owner, counted.kv);
    expect(response.status).toBe(200);
    const body = (await response.json()) as ConversationsResponseBody;
    listed += body.conversations.length;
    page = body.nextPage;
  } while (page !== null);
  return { ops: counted.total(), listed };
}

/** Without an index: the app keeps the session ids, and lists each conversation's message keys for its summary. */
async function perConversationList(sessionIds: readonly string[]): Promise<{ ops: number; listed: number }> {
  const counted = countingKv(env.CHAT_KV);
  let listed = 0;
  for (let i = 0; i < sessionIds.length; i += 50) {
    const pages = await Promise.all(sessionIds.slice(i, i + 50).map((s) => counted.kv.list({ prefix: sessionPrefix(s) })));
    listed += pages.filter((page) => page.keys.length > 0).length;
  }
  return { ops: counted.total(), listed };
}

const cases = [
  { n: 10, order: 1 },
  { n: 1000, order: 2 },
  { n: 5000, order: 3 },
];

for (const { n, order } of cases) {
  it(`conversation list, N = ${n}`, async () => {
    const owner = `bench-owner-n${n}-key`.padEnd(24, 'x');
    const sessionIds = Array.from({ length: n }, (_, i) => `bench-list-${n}-${i.toString().padStart(6, '0')}`);
    for (let i = 0; i < n; i += 100) {
      await Promise.all(
        sessionIds.slice(i, i + 100).map(async (sessionId) => {
          const [userTurn, reply] = conversationRecords(sessionId, 2, 200);
          await seedRecords(env.CHAT_KV, [userTurn!, reply!]);
          await new IndexWriter(env.CHAT_KV, owner, sessionId).record({ userTurn: userTurn!, reply: reply!, messageCount: 2 });
        }),
      );
    }
    const chatkeep = await chatkeepList(owner);
    const naive = await perConversationList(sessionIds);
    expect(chatkeep.listed).toBe(n);
    expect(naive.listed).toBe(n);
    const floor = Math.ceil(n / 1000);
    report({
      row: 13,
      order,
      measure: `KV ops to list an owner's conversations, N = ${n.toLocaleString('en')}`,
      chatkeep: plural(chatkeep.ops, 'op'),
      baseline: plural(naive.ops, 'op'),
      baselineName: "list each conversation's message keys (session ids kept by the app)",
      ratio: `${(naive.ops / chatkeep.ops).toFixed(1)}x fewer ops`,
      goal: `= floor ceil(N/1000) = ${floor}`,
      met: chatkeep.ops <= floor,
      method: METHOD,
    });
  });
}
