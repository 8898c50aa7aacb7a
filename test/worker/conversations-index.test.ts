import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { KV_CONSISTENCY_WINDOW_MS } from '../../sdk/protocol';
import { IndexWriter, MAX_METADATA_BYTES, ownerPrefix } from '../../worker/conversations/index';
import { conversationsApp, exchange, listBody, listRequest, ownerKey, renameRequest } from './support/conversations-app';
import { uniqueId } from './support/ids';
import { spyKv, totalOps } from './support/kv-spy';
import { kvDump } from './support/requests';

const T0 = Date.UTC(2026, 5, 1);

describe("an owner's conversation index", () => {
  it('two owners never see each other’s lists, even when one key is a prefix of the other', async () => {
    const alice = ownerKey('alice');
    const alicePlus = `${alice}x`;
    const a = uniqueId('conv');
    const b = uniqueId('conv');
    await new IndexWriter(env.CHAT_KV, alice, a).record(exchange(a, 'Alice asks', T0));
    await new IndexWriter(env.CHAT_KV, alicePlus, b).record(exchange(b, 'Someone else asks', T0));
    const app = conversationsApp(env.CHAT_KV, { now: () => T0 + 5_000 });

    const ofAlice = await listBody(app, listRequest(alice));
    const ofOther = await listBody(app, listRequest(alicePlus));
    expect(ofAlice.ids).toEqual([a]);
    expect(ofAlice.conversations.map((c) => c.title)).toEqual(['Alice asks']);
    expect(ofOther.ids).toEqual([b]);
    expect((await listBody(app, listRequest(ownerKey('nobody')))).conversations).toEqual([]);
  });

  it('the first exchange writes one entry titled from the first turn; each later exchange one write; an unchanged one none', async () => {
    const owner = ownerKey();
    const sessionId = uniqueId('conv');
    const spy = spyKv(env.CHAT_KV);
    const writer = new IndexWriter(spy.kv, owner, sessionId);
    const first = `  How do I\nbake   bread ${'with a long question '.repeat(5)}`;

    expect(await writer.record(exchange(sessionId, first, T0))).toBe('written');
    expect(spy.counts.put).toBe(1);
    expect(await writer.record(exchange(sessionId, 'And rye?', T0 + 10_000, 4, 'Rye needs a sourdough'))).toBe('written');
    expect(spy.counts.put).toBe(2);
    // The same exchange again (an idempotent resend replayed): nothing changed, nothing written.
    expect(await writer.record(exchange(sessionId, 'And rye?', T0 + 10_000, 4, 'Rye needs a sourdough'))).toBe('unchanged');
    expect(spy.counts.put).toBe(2);
    // Reads cost one list at the cold start only.
    expect(spy.counts.list).toBe(1);
    expect(spy.counts.get).toBe(0);

    const [summary] = (await listBody(conversationsApp(), listRequest(owner))).conversations;
    expect(summary).toEqual({
      sessionId,
      title: 'How do I bake bread with a long question with a long questio',
      createdAt: new Date(T0).toISOString(),
      updatedAt: new Date(T0 + 10_001).toISOString(),
      messageCount: 4,
      lastMessage: { role: 'assistant', status: 'complete', preview: 'Rye needs a sourdough' },
    });
    expect(Array.from(summary!.title).length).toBeLessThanOrEqual(60);
  });

  it('a writer restarted (a new object) reads its entry back once and keeps the title and createdAt', async () => {
    const owner = ownerKey();
    const sessionId = uniqueId('conv');
    await new IndexWriter(env.CHAT_KV, owner, sessionId).record(exchange(sessionId, 'First question', T0));
    await new IndexWriter(env.CHAT_KV, owner, sessionId).record(exchange(sessionId, 'Second question', T0 + 60_000, 4));
    const [summary] = (await listBody(conversationsApp(), listRequest(owner))).conversations;
    expect(summary?.title).toBe('First question');
    expect(summary?.createdAt).toBe(new Date(T0).toISOString());
    expect(summary?.messageCount).toBe(4);
  });

  it('a summary of long titles and previews in any script still fits in KV list metadata, sorted newest first', async () => {
    const owner = ownerKey();
    const older = uniqueId('conv');
    const newer = uniqueId('conv');
    const wide = '😀'.repeat(200);
    await new IndexWriter(env.CHAT_KV, owner, older).record(exchange(older, wide, T0, 2, '"\\'.repeat(300)));
    await new IndexWriter(env.CHAT_KV, owner, newer).record(exchange(newer, 'ü'.repeat(300), T0 + 1_000, 2, wide));
    const body = await listBody(conversationsApp(), listRequest(owner));
    expect(body.conversations.map((c) => c.sessionId)).toEqual([newer, older]);
    const [first, second] = body.conversations;
    expect(second?.title).toBe('😀'.repeat(60));
    expect(second?.lastMessage?.preview.length).toBeGreaterThan(100);
    expect(first?.lastMessage?.preview.startsWith('😀'.repeat(50))).toBe(true);
    const listed = await env.CHAT_KV.list({ prefix: ownerPrefix(owner) });
    for (const key of listed.keys) expect(new TextEncoder().encode(JSON.stringify(key.metadata)).length).toBeLessThanOrEqual(MAX_METADATA_BYTES);
  });

  it('since returns only the entries changed after it (less the KV window), while ids lists every one', async () => {
    const owner = ownerKey();
    const stale = uniqueId('conv');
    const fresh = uniqueId('conv');
    await new IndexWriter(env.CHAT_KV, owner, stale).record(exchange(stale, 'Old one', T0));
    await new IndexWriter(env.CHAT_KV, owner, fresh).record(exchange(fresh, 'Fresh one', T0));
    const cursorAt = T0 + 10 * KV_CONSISTENCY_WINDOW_MS;
    const first = await listBody(conversationsApp(env.CHAT_KV, { now: () => cursorAt }), listRequest(owner));
    expect(first.cursor).toBe(String(cursorAt));

    await new IndexWriter(env.CHAT_KV, owner, fresh).record(exchange(fresh, 'More', cursorAt + 1_000, 4));
    const app = conversationsApp(env.CHAT_KV, { now: () => cursorAt + 2_000 });
    const changed = await listBody(app, listRequest(owner, { since: first.cursor }));
    expect(changed.conversations.map((c) => c.sessionId)).toEqual([fresh]);
    expect([...changed.ids].sort()).toEqual([fresh, stale].sort());
    // Within the window nothing is left out: a write KV has not shown everywhere yet is sent again.
    const widened = await listBody(app, listRequest(owner, { since: String(T0 + KV_CONSISTENCY_WINDOW_MS) }));
    expect(widened.conversations).toHaveLength(2);
  });

  it('a delete removes the entry: ids no longer hold it and a later exchange starts a new entry', async () => {
    const owner = ownerKey();
    const kept = uniqueId('conv');
    const gone = uniqueId('conv');
    await new IndexWriter(env.CHAT_KV, owner, kept).record(exchange(kept, 'Keep me', T0));
    const writer = new IndexWriter(env.CHAT_KV, owner, gone);
    await writer.record(exchange(gone, 'Delete me', T0));
    await writer.remove();
    const body = await listBody(conversationsApp(), listRequest(owner));
    expect(body.ids).toEqual([kept]);
    expect(await kvDump(ownerPrefix(owner))).not.toHaveProperty(`${ownerPrefix(owner)}${gone}`);

    await writer.record(exchange(gone, 'A fresh start', T0 + 5_000));
    const again = await listBody(conversationsApp(), listRequest(owner));
    expect(again.conversations.find((c) => c.sessionId === gone)?.title).toBe('A fresh start');
  });

  it('ids lists exactly the conversations that exist', async () => {
    const owner = ownerKey();
    const sessions = [uniqueId('conv'), uniqueId('conv'), uniqueId('conv')];
    for (const [i, s] of sessions.entries()) await new IndexWriter(env.CHAT_KV, owner, s).record(exchange(s, `Turn ${i}`, T0 + i));
    await new IndexWriter(env.CHAT_KV, owner, sessions[1]!).remove();
    const body = await listBody(conversationsApp(), listRequest(owner));
    expect([...body.ids].sort()).toEqual([sessions[0], sessions[2]].sort());
  });
});

describe('PATCH /conversations', () => {
  it('renames: trimmed, one line; listed with the new title; a later exchange keeps it', async () => {
    const owner = ownerKey();
    const sessionId = uniqueId('conv');
    const writer = new IndexWriter(env.CHAT_KV, owner, sessionId);
    await writer.record(exchange(sessionId, 'Original', T0));
    const app = conversationsApp(env.CHAT_KV, { now: () => T0 + 30_000 });
    const response = await app(renameRequest(owner, { sessionId, title: '  Bread\n notes ' }));
    expect(response.status).toBe(200);
    const { conversation } = (await response.json()) as { conversation: { title: string; updatedAt: string } };
    expect(conversation.title).toBe('Bread notes');
    expect(conversation.updatedAt).toBe(new Date(T0 + 30_000).toISOString());
    // The writer that renamed remembers it; a new one reads it back.
    await writer.rename('Bread notes', new Date(T0 + 30_000).toISOString());
    await writer.record(exchange(sessionId, 'Next', T0 + 60_000, 4));
    await new IndexWriter(env.CHAT_KV, owner, sessionId).record(exchange(sessionId, 'Then', T0 + 90_000, 6));
    const [summary] = (await listBody(app, listRequest(owner))).conversations;
    expect(summary?.title).toBe('Bread notes');
    expect(summary?.messageCount).toBe(6);
  });

  it('refuses a bad title, a bad session id, an unknown conversation and no owner, writing nothing', async () => {
    const owner = ownerKey();
    const sessionId = uniqueId('conv');
    await new IndexWriter(env.CHAT_KV, owner, sessionId).record(exchange(sessionId, 'Original', T0));
    const before = await env.CHAT_KV.list({ prefix: ownerPrefix(owner) });
    const spy = spyKv(env.CHAT_KV);
    const app = conversationsApp(spy.kv);
    const cases: [unknown, number, string, string | undefined][] = [
      [{ sessionId, title: '' }, 400, 'invalid_title', owner],
      [{ sessionId, title: ' \n\t ' }, 400, 'invalid_title', owner],
      [{ sessionId, title: 'x'.repeat(121) }, 400, 'invalid_title', owner],
      [{ sessionId, title: 42 }, 400, 'invalid_title', owner],
      [{ sessionId: 'bad:id/12', title: 'Fine' }, 400, 'invalid_session_id', owner],
      [[], 400, 'invalid_request', owner],
      [{ sessionId, title: 'Fine' }, 401, 'unauthorized', undefined],
    ];
    for (const [body, status, code, who] of cases) {
      const response = await app(renameRequest(who, body));
      expect([response.status, ((await response.json()) as { error: { code: string } }).error.code]).toEqual([status, code]);
    }
    expect(totalOps(spy)).toBe(0);
    const unknown = await app(renameRequest(owner, { sessionId: uniqueId('none'), title: 'Fine' }));
    expect(unknown.status).toBe(404);
    // Another owner's conversation is not in this owner's index: not found here, and untouched.
    const other = await app(renameRequest(ownerKey('mallory'), { sessionId, title: 'Mine now' }));
    expect(other.status).toBe(404);
    expect(spy.counts.put).toBe(0);
    expect((await env.CHAT_KV.list({ prefix: ownerPrefix(owner) })).keys).toEqual(before.keys);
    const ok = await app(renameRequest(owner, { sessionId, title: 'x'.repeat(120) }));
    expect(ok.status).toBe(200);
  });

  it('a rename keeps the expiration the entry had', async () => {
    const owner = ownerKey();
    const sessionId = uniqueId('conv');
    await new IndexWriter(env.CHAT_KV, owner, sessionId, { retentionSeconds: 3_600 }).record(exchange(sessionId, 'Original', T0));
    const [before] = (await env.CHAT_KV.list({ prefix: ownerPrefix(owner) })).keys;
    await conversationsApp(env.CHAT_KV, { retentionSeconds: 86_400 })(renameRequest(owner, { sessionId, title: 'Renamed' }));
    const [after] = (await env.CHAT_KV.list({ prefix: ownerPrefix(owner) })).keys;
    expect(before?.expiration).toBeDefined();
    expect(after?.expiration).toBe(before?.expiration);
  });
});

describe('the owner of a request', () => {
  it('a malformed owner key is 400 invalid_owner on every method, before any KV operation', async () => {
    const spy = spyKv(env.CHAT_KV);
    const app = conversationsApp(spy.kv);
    for (const bad of ['short', 'has:colon-and-long-enough-xx', 'has/slash-and-long-enough-xxx', 'x'.repeat(129), '']) {
      for (const request of [listRequest(bad), renameRequest(bad, { sessionId: uniqueId('conv'), title: 'Title' })]) {
        const response = await app(request);
        expect(response.status).toBe(400);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_owner');
      }
    }
    expect(totalOps(spy)).toBe(0);
  });

  it('no owner: 401; another method: 405 with Allow', async () => {
    const app = conversationsApp();
    expect((await app(listRequest(undefined))).status).toBe(401);
    const post = await app(new Request('http://chatkeep.test/api/conversations', { method: 'DELETE' }));
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, PATCH, OPTIONS');
  });

  it('a cursor or since that this API did not make is 400 invalid_cursor', async () => {
    const app = conversationsApp();
    const owner = ownerKey();
    const bad: Record<string, string>[] = [{ cursor: 'not-a-token' }, { cursor: btoa('{"k":1}') }, { since: 'yesterday' }];
    for (const params of bad) {
      const response = await app(listRequest(owner, params));
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_cursor');
    }
  });
});
