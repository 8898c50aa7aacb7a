import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ConversationsResponseBody, RenameResponseBody } from '../../sdk/protocol-conversations';
import { IndexWriter, ownerIdOfSub, ownerPrefix } from '../../worker/conversations/index';
import { hmacSessionAuthorizer, sessionPrefix, signSessionToken } from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { exchange, listRequest, ownerKey, renameRequest } from './support/conversations-app';
import { uniqueId } from './support/ids';
import { call, chatRequest, historyRequest, kvDump, ORIGIN } from './support/requests';
import { scriptedModel } from './support/scripted-model';

const T0 = Date.UTC(2026, 5, 1);
const SECRET = 'a-secret-of-at-least-thirty-two-characters';

const worker = chatWorker;

async function seeded(owner: string, title = 'Bread') {
  const sessionId = uniqueId('conv');
  await new IndexWriter(env.CHAT_KV, owner, sessionId).record(exchange(sessionId, title, T0));
  return sessionId;
}

describe('the Worker mounts GET and PATCH /api/conversations', () => {
  it('lists the owner key’s conversations; no owner is 401; OPTIONS allows GET and PATCH', async () => {
    const owner = ownerKey();
    const sessionId = await seeded(owner);
    const listed = await call(worker(), listRequest(owner));
    expect(listed.response.status).toBe(200);
    const body = JSON.parse(listed.text) as ConversationsResponseBody;
    expect(body.ids).toEqual([sessionId]);
    expect(body.conversations[0]).toMatchObject({ sessionId, title: 'Bread' });

    const anonymous = await call(worker(), listRequest(undefined));
    expect(anonymous.response.status).toBe(401);
    expect(JSON.parse(anonymous.text)).toMatchObject({ error: { code: 'unauthorized' } });

    const preflight = await call(worker(), new Request(`${ORIGIN}/api/conversations`, { method: 'OPTIONS' }));
    expect(preflight.response.headers.get('allow') ?? preflight.response.headers.get('access-control-allow-methods')).toContain('PATCH');
  });

  it('renames through PATCH and lists the new title', async () => {
    const owner = ownerKey();
    const sessionId = await seeded(owner);
    const renamed = await call(worker(), renameRequest(owner, { sessionId, title: '  Sourdough  ' }));
    expect(renamed.response.status).toBe(200);
    expect((JSON.parse(renamed.text) as RenameResponseBody).conversation.title).toBe('Sourdough');
    const other = await call(worker(), renameRequest(ownerKey('other'), { sessionId, title: 'Mine now' }));
    expect(other.response.status).toBe(404);
    const listed = JSON.parse((await call(worker(), listRequest(owner))).text) as ConversationsResponseBody;
    expect(listed.conversations[0]?.title).toBe('Sourdough');
  });

  it('the `owner` option names the owner, and a malformed one is 400', async () => {
    const owner = ownerKey('app');
    const sessionId = await seeded(owner);
    const app = worker({ owner: (request) => request.headers.get('x-user') });
    const listed = await call(app, new Request(`${ORIGIN}/api/conversations`, { headers: { 'x-user': owner } }));
    expect((JSON.parse(listed.text) as ConversationsResponseBody).ids).toEqual([sessionId]);
    // The header is not consulted once the app names owners.
    expect((await call(app, listRequest(owner))).response.status).toBe(401);
    const bad = await call(app, new Request(`${ORIGIN}/api/conversations`, { headers: { 'x-user': 'a:b' } }));
    expect(bad.response.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ error: { code: 'invalid_owner' } });
  });

  it('with hmacSessionAuthorizer the owner is the token’s sub', async () => {
    const sub = ownerKey('user');
    const sessionId = await seeded(sub);
    const app = worker({ authorize: hmacSessionAuthorizer({ secret: SECRET }) });
    const token = await signSessionToken({ sub, exp: Math.floor(Date.now() / 1000) + 600 }, { secret: SECRET });
    const listed = await call(app, new Request(`${ORIGIN}/api/conversations`, { headers: { authorization: `Bearer ${token}` } }));
    expect((JSON.parse(listed.text) as ConversationsResponseBody).ids).toEqual([sessionId]);
    expect((await call(app, listRequest(sub))).response.status).toBe(401);
  });

  it('a token whose sub is no id (an e-mail address) still has one index, under a hash of it', async () => {
    const app = worker({ authorize: hmacSessionAuthorizer({ secret: SECRET }) });
    const sub = `${uniqueId('u')}@example.com`;
    const token = await signSessionToken({ sub, exp: Math.floor(Date.now() / 1000) + 600 }, { secret: SECRET });
    const owner = await ownerIdOfSub(sub);
    expect(owner).toMatch(/^sub_[A-Za-z0-9_-]{43}$/);
    const sessionId = await seeded(owner);
    const listed = await call(app, new Request(`${ORIGIN}/api/conversations`, { headers: { authorization: `Bearer ${token}` } }));
    expect(listed.response.status).toBe(200);
    expect((JSON.parse(listed.text) as ConversationsResponseBody).ids).toEqual([sessionId]);
  });
});

describe('owner keys on the conversation routes', () => {
  it('a malformed owner key is 400 on POST /chat and writes nothing', async () => {
    const sessionId = uniqueId('s');
    for (const key of ['too-short', `${'x'.repeat(30)}:y`, `${'x'.repeat(30)}/../y`]) {
      const sent = await call(worker(), chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }, { 'x-chatkeep-owner': key }));
      expect(sent.response.status).toBe(400);
      expect(JSON.parse(sent.text)).toMatchObject({ error: { code: 'invalid_owner' } });
    }
    expect(await kvDump(sessionPrefix(sessionId))).toEqual({});
    const history = await call(worker(), new Request(`${ORIGIN}/api/history?sessionId=${sessionId}`, { headers: { 'x-chatkeep-owner': 'short' } }));
    expect(history.response.status).toBe(400);
  });

  it('DELETE /history removes the conversation from its owner’s index', async () => {
    const owner = ownerKey();
    const kept = await seeded(owner, 'Kept');
    const gone = await seeded(owner, 'Gone');
    const request = historyRequest({ sessionId: gone }, 'DELETE');
    request.headers.set('x-chatkeep-owner', owner);
    const deleted = await call(worker(), request);
    expect(deleted.response.status).toBe(200);
    expect(Object.keys(await kvDump(ownerPrefix(owner)))).toEqual([`${ownerPrefix(owner)}${kept}`]);
  });

  it('an owned exchange puts the conversation in its owner’s list, written by its object once per exchange', async () => {
    const owner = ownerKey();
    const other = ownerKey('other');
    const sessionId = uniqueId('conv');
    const app = chatWorker({ model: scriptedModel(['Rye, ', 'mostly.']) });
    const sent = await call(app, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Which bread?' } }, { 'x-chatkeep-owner': owner }));
    expect(sent.text).toContain('event: done');
    // The index write runs after the reply, in the object: listed once it lands.
    let body: ConversationsResponseBody | undefined;
    for (let attempt = 0; attempt < 50 && !body?.ids.includes(sessionId); attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      body = JSON.parse((await call(app, listRequest(owner))).text) as ConversationsResponseBody;
    }
    expect(body?.ids).toEqual([sessionId]);
    expect(body?.conversations[0]).toMatchObject({ sessionId, title: 'Which bread?' });
    const others = JSON.parse((await call(app, listRequest(other))).text) as ConversationsResponseBody;
    expect(others.ids).toEqual([]);
  });
});
