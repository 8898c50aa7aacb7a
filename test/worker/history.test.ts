import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { KV_CONSISTENCY_WINDOW_MS, type ChatMessage, type HistoryResponseBody } from '../../sdk/protocol';
import { messageKey } from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { uniqueId } from './support/ids';
import { spyKv, totalOps } from './support/kv-spy';
import { call, chatRequest, historyRequest } from './support/requests';
import { scriptedModel } from './support/scripted-model';
import { parseSse } from './support/sse';
import { conversation, seed } from './support/seed';

const T0 = Date.UTC(2026, 5, 1);

async function history(worker: ReturnType<typeof chatWorker>, params: Record<string, string>): Promise<HistoryResponseBody> {
  const { response, text } = await call(worker, historyRequest(params));
  expect(response.status).toBe(200);
  return JSON.parse(text) as HistoryResponseBody;
}

describe('GET /api/history', () => {
  it('sorts by timestamp then id, and returns ids and a server-clock cursor', async () => {
    const sessionId = uniqueId('s');
    const at = (ms: number) => new Date(T0 + ms).toISOString();
    const base = { sessionId, status: 'complete' as const, content: 'x' };
    await seed([
      { ...base, id: 'zzzzzzzz', role: 'user', timestamp: at(0) },
      { ...base, id: 'bbbbbbbb', role: 'assistant', timestamp: at(5) },
      { ...base, id: 'aaaaaaaa', role: 'assistant', timestamp: at(5) },
      { ...base, id: 'cccccccc', role: 'user', timestamp: at(-10) },
    ]);
    const worker = chatWorker({ now: () => T0 + 99_000 });
    const body = await history(worker, { sessionId });
    expect(body.messages.map((m) => m.id)).toEqual(['cccccccc', 'zzzzzzzz', 'aaaaaaaa', 'bbbbbbbb']);
    expect([...body.ids].sort()).toEqual(['aaaaaaaa', 'bbbbbbbb', 'cccccccc', 'zzzzzzzz']);
    expect(body.cursor).toBe(String(T0 + 99_000));
    expect(body.nextPage).toBeNull();
    expect(body.sessionId).toBe(sessionId);
  });

  it('keeps sessions apart by the full prefix: abc12345 never sees abc123456', async () => {
    const suffix = uniqueId('p').replace(/-/g, '');
    const short = `abc12345${suffix}`;
    const long = `abc12345${suffix}6`;
    await seed([...conversation(short, 2, T0, () => 'mine'), ...conversation(long, 3, T0, () => 'theirs')]);
    // History reaches the conversation's object too (it knows the owner), which keeps the options it was built with.
    const model = scriptedModel(['ok']);
    const worker = chatWorker({ model });
    const mine = await history(worker, { sessionId: short });
    expect(mine.ids).toHaveLength(2);
    expect(mine.messages.every((m) => m.sessionId === short && m.content === 'mine')).toBe(true);

    await call(worker, chatRequest({ sessionId: short, message: { id: uniqueId('m'), content: 'next' } }));
    expect(model.calls[0]?.map((m) => m.content)).toEqual(['mine', 'mine', 'next']);
  });

  it('reads records of the older pattern (random ids, no status, no metadata) as complete', async () => {
    const sessionId = uniqueId('s');
    const legacyId = crypto.randomUUID();
    const plainId = crypto.randomUUID();
    await env.CHAT_KV.put(messageKey(sessionId, legacyId), JSON.stringify({ role: 'assistant', content: 'from before', timestamp: T0 }));
    await env.CHAT_KV.put(messageKey(sessionId, plainId), 'just text');
    const spy = spyKv(env.CHAT_KV);
    const body = await history(chatWorker({ kv: spy.kv }), { sessionId });
    expect(body.messages).toContainEqual({
      id: legacyId,
      sessionId,
      role: 'assistant',
      content: 'from before',
      timestamp: new Date(T0).toISOString(),
      status: 'complete',
    });
    expect(body.messages.find((m) => m.id === plainId)).toMatchObject({ content: 'just text', status: 'complete' });
    expect(spy.counts.get).toBe(2);
  });

  it('reports a streaming record not checkpointed within the stale limit as error / interrupted, text kept', async () => {
    const sessionId = uniqueId('s');
    const [user, reply] = conversation(sessionId, 2, T0, (i) => (i === 0 ? 'q' : 'half an ans'));
    await seed([user!, { ...reply!, id: `${user!.id}_r`, replyTo: user!.id, status: 'streaming' }]);
    // One object for the conversation, on a clock the test moves.
    let nowMs = T0 + 30_000;
    const model = scriptedModel(['a whole answer']);
    const worker = chatWorker({ model, now: () => nowMs });
    const fresh = await history(worker, { sessionId });
    expect(fresh.messages[1]?.status).toBe('streaming');
    // Its object (asked first) does not run it: past the stale limit it is shown interrupted.
    nowMs = T0 + 1000 + 60_001;
    const stale = await history(worker, { sessionId });
    expect(stale.messages[1]).toMatchObject({ status: 'error', content: 'half an ans', error: { code: 'interrupted' } });
    // A reply cut off so is the one kind a retry of its turn runs again.
    const retried = await call(worker, chatRequest({ sessionId, message: { id: user!.id, content: 'q' } }));
    expect(model.calls).toHaveLength(1);
    expect(parseSse(retried.text).events.at(-1)).toMatchObject({ event: 'done', data: { message: { status: 'complete', content: 'a whole answer' } } });
  });

  it('with since, sends only records written after the cursor (widened by the KV window) but every id', async () => {
    const sessionId = uniqueId('s');
    const messages = conversation(sessionId, 3, T0, () => 'x');
    const cursorMs = T0 + 5 * 60_000;
    messages[1]!.updatedAt = new Date(cursorMs - KV_CONSISTENCY_WINDOW_MS + 1000).toISOString();
    messages[2]!.updatedAt = new Date(cursorMs + 1000).toISOString();
    await seed(messages);
    const spy = spyKv(env.CHAT_KV);
    const body = await history(chatWorker({ kv: spy.kv, now: () => cursorMs + 2000 }), { sessionId, since: String(cursorMs) });
    expect(body.messages.map((m) => m.id)).toEqual([messages[1]!.id, messages[2]!.id]);
    expect(body.ids).toEqual(messages.map((m) => m.id));
    expect(totalOps(spy)).toBe(1);
  });

  it('pages a 5,000-message conversation of short messages from list metadata alone', async () => {
    const sessionId = uniqueId('s');
    await seed(conversation(sessionId, 5000, T0, (i) => `short ${i}`));
    const spy = spyKv(env.CHAT_KV);
    const worker = chatWorker({ kv: spy.kv });
    const ids: string[] = [];
    const messages: ChatMessage[] = [];
    let page: string | null = '';
    let requests = 0;
    do {
      spy.reset();
      const body: HistoryResponseBody = await history(worker, { sessionId, ...(page ? { cursor: page } : {}) });
      expect(spy.counts).toEqual({ list: 1, get: 0, put: 0, delete: 0 });
      ids.push(...body.ids);
      messages.push(...body.messages);
      page = body.nextPage;
      requests++;
    } while (page !== null && requests < 20);
    expect(requests).toBe(5);
    expect(new Set(ids).size).toBe(5000);
    expect(messages).toHaveLength(5000);
    expect(messages[4321]?.content).toBe('short 4321');

    // Deleting it also stays within the per-request budget, in as many calls as it takes.
    let deleted = 0;
    for (let calls = 0; calls < 10; calls++) {
      spy.reset();
      const { text } = await call(worker, historyRequest({ sessionId }, 'DELETE'));
      expect(totalOps(spy)).toBeLessThanOrEqual(1000);
      const result = JSON.parse(text) as { deleted: number; more?: boolean };
      deleted += result.deleted;
      if (!result.more) break;
    }
    expect(deleted).toBe(5000);
    expect((await history(worker, { sessionId })).ids).toEqual([]);
  }, 120_000);

  it('pages a 5,000-message conversation with many large messages under 1,000 KV operations per request', async () => {
    const sessionId = uniqueId('s');
    const big = (i: number) => `${i}:`.padEnd(1500, 'large ');
    await seed(conversation(sessionId, 5000, T0, (i) => (i % 20 === 0 ? `small ${i}` : big(i))));
    const spy = spyKv(env.CHAT_KV);
    const worker = chatWorker({ kv: spy.kv });
    const ids: string[] = [];
    const messages: ChatMessage[] = [];
    let page: string | null = '';
    let requests = 0;
    do {
      spy.reset();
      const body: HistoryResponseBody = await history(worker, { sessionId, ...(page ? { cursor: page } : {}) });
      expect(totalOps(spy)).toBeLessThan(1000);
      ids.push(...body.ids);
      messages.push(...body.messages);
      page = body.nextPage;
      requests++;
    } while (page !== null && requests < 50);
    expect(new Set(ids).size).toBe(5000);
    expect(ids).toHaveLength(5000);
    expect(messages).toHaveLength(5000);
    expect(messages.find((m) => m.id === 'msg-004001')?.content).toBe(big(4001));
    expect(requests).toBeGreaterThan(5);
  }, 120_000);
});

describe('DELETE /api/history', () => {
  it('deletes the conversation and answers {deleted}', async () => {
    const sessionId = uniqueId('s');
    await seed(conversation(sessionId, 4, T0, () => 'x'));
    const worker = chatWorker();
    const { text } = await call(worker, historyRequest({ sessionId }, 'DELETE'));
    expect(JSON.parse(text)).toEqual({ deleted: 4 });
    expect((await history(worker, { sessionId })).messages).toEqual([]);
  });
});
