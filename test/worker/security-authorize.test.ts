import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HistoryResponseBody, StartEventData } from '../../sdk/protocol';
import {
  hmacSessionAuthorizer,
  signSessionToken,
  verifySessionToken,
  type ChatWorker,
  type SessionTokenClaims,
} from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { uniqueId } from './support/ids';
import { spyKv } from './support/kv-spy';
import { call, chatRequest, kvDump, ORIGIN } from './support/requests';
import { scriptedModel } from './support/scripted-model';
import { parseSse } from './support/sse';

const SECRET = 'test-secret-for-session-tokens-0123456789';
const NOW_MS = Date.UTC(2026, 5, 1);
const now = () => NOW_MS;
const inAnHour = NOW_MS / 1000 + 3600;

function b64url(text: string): string {
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const sign = (claims: SessionTokenClaims, secret = SECRET) => signSessionToken(claims, { secret });

type Route = 'chat' | 'stop' | 'history' | 'delete';

function request(route: Route, sessionId: string, token: string | undefined, extra: { messageId?: string } = {}): Request {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  // `messageId` names the reply a stop is for; a chat turn always gets an id of its own (a reply id is no user id).
  if (route === 'chat') return chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Mine now' } }, headers);
  if (route === 'stop') {
    return new Request(`${ORIGIN}/api/chat/stop`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ sessionId, messageId: extra.messageId ?? uniqueId('m'), content: '' }),
    });
  }
  return new Request(`${ORIGIN}/api/history?${new URLSearchParams({ sessionId })}`, { method: route === 'history' ? 'GET' : 'DELETE', headers });
}

/** Alice's conversation with one exchange in it, and a worker guarded by the recipe. */
async function setting() {
  const spy = spyKv(env.CHAT_KV);
  const refusals: string[] = [];
  const worker = chatWorker({
    kv: spy.kv,
    model: scriptedModel(['Only ', 'for ', 'Alice']),
    authorize: hmacSessionAuthorizer({ secret: SECRET, now, log: (reason) => refusals.push(reason) }),
  });
  const alice = { sessionId: uniqueId('alice'), token: '' };
  alice.token = await sign({ sub: 'alice', sid: alice.sessionId, exp: inAnHour });
  const bob = { sessionId: uniqueId('bob'), token: '' };
  bob.token = await sign({ sub: 'bob', sid: bob.sessionId, exp: inAnHour });
  const sent = await call(worker, request('chat', alice.sessionId, alice.token));
  expect(sent.response.status).toBe(200);
  const replyId = (parseSse(sent.text).events[0]?.data as StartEventData).assistantMessage.id;
  const stored = await kvDump(`message:${alice.sessionId}:`);
  expect(Object.keys(stored)).toHaveLength(2);
  spy.reset();
  return { worker, spy, alice, bob, replyId, stored, refusals };
}

async function expectRefused(worker: ChatWorker<Cloudflare.Env>, req: Request, status: 401 | 403): Promise<void> {
  const { response, text } = await call(worker, req);
  expect(response.status, text).toBe(status);
  expect(JSON.parse(text)).toEqual({ error: { code: status === 401 ? 'unauthorized' : 'forbidden', message: expect.any(String) } });
  if (status === 401) expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_(token|request)"$/);
}

const ROUTES: Route[] = ['history', 'chat', 'stop', 'delete'];

describe('hmacSessionAuthorizer: a conversation is used only by the user its token names', () => {
  it('Bob, with a valid token of his own, can neither read, write, stop nor delete Alice’s conversation (403), and KV is untouched', async () => {
    const { worker, spy, alice, bob, replyId, stored } = await setting();
    for (const route of ROUTES) await expectRefused(worker, request(route, alice.sessionId, bob.token, { messageId: replyId }), 403);
    expect(spy.counts).toEqual({ get: 0, put: 0, list: 0, delete: 0 });
    expect(await kvDump(`message:${alice.sessionId}:`)).toEqual(stored);
  });

  it('without a valid token every route answers 401: none, garbage, forged with another key, tampered, expired, alg none, wrong scheme', async () => {
    const { worker, spy, alice, bob, replyId, stored, refusals } = await setting();
    const [header, payload, signature] = bob.token.split('.') as [string, string, string];
    const tampered = `${header}.${b64url(JSON.stringify({ sub: 'bob', sid: alice.sessionId, exp: inAnHour }))}.${signature}`;
    const unsigned = `${b64url('{"alg":"none","typ":"JWT"}')}.${b64url(JSON.stringify({ sub: 'alice', sid: alice.sessionId, exp: inAnHour }))}.`;
    const hs512 = `${b64url('{"alg":"HS512","typ":"JWT"}')}.${payload}.${signature}`;
    const tokens: { token: string | undefined; reason: string }[] = [
      { token: undefined, reason: 'missing' },
      { token: 'not-a-token', reason: 'malformed' },
      { token: 'a.b.c.d', reason: 'malformed' },
      { token: await sign({ sub: 'mallory', sid: alice.sessionId, exp: inAnHour }, 'another-secret-of-at-least-32-characters'), reason: 'bad_signature' },
      { token: tampered, reason: 'bad_signature' },
      { token: await sign({ sub: 'alice', sid: alice.sessionId, exp: NOW_MS / 1000 - 120 }), reason: 'expired' },
      { token: unsigned, reason: 'unsupported_algorithm' },
      { token: hs512, reason: 'unsupported_algorithm' },
      { token: `${'x'.repeat(5000)}.y.z`, reason: 'malformed' },
    ];
    for (const { token } of tokens) {
      for (const route of ROUTES) await expectRefused(worker, request(route, alice.sessionId, token, { messageId: replyId }), 401);
    }
    expect(refusals).toEqual(tokens.flatMap(({ reason }) => ROUTES.map(() => reason)));
    const basic = new Request(`${ORIGIN}/api/history?sessionId=${alice.sessionId}`, { headers: { authorization: `Basic ${alice.token}` } });
    await expectRefused(worker, basic, 401);
    expect(spy.counts).toEqual({ get: 0, put: 0, list: 0, delete: 0 });
    expect(await kvDump(`message:${alice.sessionId}:`)).toEqual(stored);
  });

  it('Alice’s own token opens every route of her conversation', async () => {
    const { worker, alice, replyId } = await setting();
    const read = await call(worker, request('history', alice.sessionId, alice.token));
    expect(read.response.status).toBe(200);
    expect((JSON.parse(read.text) as HistoryResponseBody).messages.map((m) => m.content)).toEqual(['Mine now', 'Only for Alice']);
    expect((await call(worker, request('stop', alice.sessionId, alice.token, { messageId: replyId }))).response.status).toBe(200);
    expect((await call(worker, request('chat', alice.sessionId, alice.token))).response.status).toBe(200);
    const deleted = await call(worker, request('delete', alice.sessionId, alice.token));
    expect(JSON.parse(deleted.text)).toEqual({ deleted: 4 });
  });

  it('with `owns`, tokens name only the user and the app decides which conversations are theirs', async () => {
    const owners = new Map<string, string>();
    const worker = chatWorker({
      model: scriptedModel(['ok']),
      authorize: hmacSessionAuthorizer({ secret: () => SECRET, now, owns: (claims, sessionId) => owners.get(sessionId) === claims.sub }),
    });
    const aliceSession = uniqueId('alice');
    owners.set(aliceSession, 'alice');
    const aliceToken = await sign({ sub: 'alice', exp: inAnHour });
    const bobToken = await sign({ sub: 'bob', exp: inAnHour });
    expect((await call(worker, request('chat', aliceSession, aliceToken))).response.status).toBe(200);
    for (const route of ROUTES) await expectRefused(worker, request(route, aliceSession, bobToken), 403);
    await expectRefused(worker, request('history', uniqueId('nobody'), aliceToken), 403);
  });

  it('random Authorization headers never open a conversation and never cause a 5xx', async () => {
    const { worker, alice, spy } = await setting();
    const header = fc.oneof(
      fc.string({ maxLength: 200 }).map((t) => `Bearer ${t}`),
      fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((p) => `Bearer ${p.join('.')}`),
      fc.record({ sub: fc.string(), sid: fc.constant(alice.sessionId), exp: fc.integer() }).map((c) => `Bearer ${b64url('{"alg":"HS256"}')}.${b64url(JSON.stringify(c))}.${b64url('sig')}`),
      fc.string({ maxLength: 100 }),
    );
    await fc.assert(
      fc.asyncProperty(header, async (authorization) => {
        const { response } = await call(worker, new Request(`${ORIGIN}/api/history?sessionId=${alice.sessionId}`, { headers: { authorization } }));
        expect(response.status).toBe(401);
      }),
      { numRuns: 200 },
    );
    expect(spy.counts).toEqual({ get: 0, put: 0, list: 0, delete: 0 });
  });
});

describe('session tokens', () => {
  it('round-trip through sign and verify, and the claims come back', async () => {
    const token = await sign({ sub: 'u-1', sid: 'session-0001', exp: inAnHour });
    expect(token.split('.')).toHaveLength(3);
    expect(await verifySessionToken(token, { secret: SECRET, now })).toEqual({ ok: true, claims: { sub: 'u-1', sid: 'session-0001', exp: inAnHour } });
  });

  it('allow the leeway past exp, and not a second more', async () => {
    const token = await sign({ sub: 'u-1', sid: 'session-0001', exp: NOW_MS / 1000 - 30 });
    expect((await verifySessionToken(token, { secret: SECRET, now, leewaySeconds: 30 })).ok).toBe(true);
    expect(await verifySessionToken(token, { secret: SECRET, now: () => NOW_MS + 1000, leewaySeconds: 30 })).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuse claims without sub or exp, even correctly signed', async () => {
    const header = b64url('{"alg":"HS256","typ":"JWT"}');
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    for (const claims of [{ sid: 'session-0001', exp: inAnHour }, { sub: 'u', sid: 'session-0001' }, { sub: '', exp: inAnHour }]) {
      const input = `${header}.${b64url(JSON.stringify(claims))}`;
      const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(input)));
      const token = `${input}.${b64url(String.fromCharCode(...mac))}`;
      expect(await verifySessionToken(token, { secret: SECRET, now })).toEqual({ ok: false, reason: 'invalid_claims' });
    }
  });

  it('refuse a secret shorter than 32 characters', async () => {
    await expect(signSessionToken({ sub: 'u', exp: inAnHour }, { secret: 'short' })).rejects.toThrow(RangeError);
    await expect(verifySessionToken('a.b.c', { secret: 'short' })).rejects.toThrow(RangeError);
  });
});

describe('the dispatcher authorizes every route once, after validating its request', () => {
  it('GET /history: bad paging is refused before the hook runs; a good read runs it once, and a refusal reads nothing', async () => {
    const spy = spyKv(env.CHAT_KV);
    const asked: string[] = [];
    let allow = true;
    const worker = chatWorker({
      kv: spy.kv,
      authorize: (_request, sessionId) => {
        asked.push(sessionId);
        return allow;
      },
    });
    const sessionId = uniqueId('s');
    const badCursor = await call(worker, new Request(`${ORIGIN}/api/history?sessionId=${sessionId}&cursor=%%%`));
    expect(badCursor.response.status).toBe(400);
    expect(asked).toEqual([]);
    const read = await call(worker, new Request(`${ORIGIN}/api/history?sessionId=${sessionId}`));
    expect(read.response.status).toBe(200);
    expect(asked).toEqual([sessionId]);
    allow = false;
    spy.reset();
    const refused = await call(worker, new Request(`${ORIGIN}/api/history?sessionId=${sessionId}`));
    expect(refused.response.status).toBe(403);
    expect(asked).toEqual([sessionId, sessionId]);
    expect(spy.counts).toEqual({ get: 0, put: 0, list: 0, delete: 0 });
  });
});
