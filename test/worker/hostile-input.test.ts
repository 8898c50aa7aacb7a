import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isValidId } from '../../sdk/protocol';
import { sessionPrefix, type ChatWorker } from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { spyKv, type KvOp } from './support/kv-spy';
import { ORIGIN } from './support/requests';
import { scriptedModel } from './support/scripted-model';
import { seed } from './support/seed';

/**
 * Property tests: whatever arrives at any endpoint, the Worker answers below 500, every refusal is a JSON error with
 * a code from ERROR_CODES, a refused request writes nothing, and no request touches a key outside the prefix of the
 * session it named.
 */

interface KvCall {
  op: KvOp;
  key: string;
}

interface Harness {
  worker: ChatWorker<Cloudflare.Env>;
  calls: KvCall[];
}

function harness(): Harness {
  const spy = spyKv(env.CHAT_KV);
  const calls: KvCall[] = [];
  // The spy's fault hook sees every call; it only records here.
  spy.failWhen((op, key) => {
    calls.push({ op, key });
    return false;
  });
  const worker = chatWorker({ kv: spy.kv, model: scriptedModel(['Fine', ', thanks.']), log: () => undefined });
  return { worker, calls };
}

interface Outcome {
  status: number;
  contentType: string;
  text: string;
}

async function send(worker: ChatWorker<Cloudflare.Env>, request: Request): Promise<Outcome> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, env, ctx);
  const text = await response.text();
  await waitOnExecutionContext(ctx);
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text };
}

/** `200`, or the status and code of a refusal: to check a property run covered the cases it is meant to. */
function label(outcome: Outcome): string {
  if (outcome.status < 400) return String(outcome.status);
  return `${outcome.status} ${(JSON.parse(outcome.text) as { error: { code: string } }).error.code}`;
}

const WRITES: readonly KvOp[] = ['put', 'delete'];

/** The session a request names, wherever the route reads it from; `undefined` when it names none. */
function namedSession(url: URL, body: string | Uint8Array | undefined): unknown {
  if (body === undefined) return url.searchParams.get('sessionId') ?? undefined;
  if (typeof body !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).sessionId : undefined;
  } catch {
    return undefined;
  }
}

function checkInvariants(outcome: Outcome, calls: KvCall[], url: URL, body: string | Uint8Array | undefined): void {
  expect(outcome.status, outcome.text).toBeLessThan(500);
  if (outcome.status >= 400) {
    expect(outcome.contentType).toMatch(/^application\/json/);
    const parsed = JSON.parse(outcome.text) as { error: { code: string; message: string } };
    expect(Object.keys(parsed)).toEqual(['error']);
    expect(ERROR_CODES).toContain(parsed.error.code);
    expect(typeof parsed.error.message).toBe('string');
    expect(calls.filter((c) => WRITES.includes(c.op))).toEqual([]);
  }
  if (calls.length === 0) return;
  const sessionId = namedSession(url, body);
  expect(isValidId(sessionId), `KV touched for a request naming ${String(sessionId)}`).toBe(true);
  const prefix = sessionPrefix(sessionId as string);
  for (const call of calls) expect(call.key.startsWith(prefix), `${call.op} ${call.key}`).toBe(true);
}

const validId = fc.stringMatching(/^[A-Za-z0-9_-]{8,24}$/);

/** Ids a hostile client might try: valid, short, long, with key separators, unicode, control characters. */
const oddId = fc.oneof(
  { weight: 8, arbitrary: validId },
  fc.string({ maxLength: 7 }),
  fc.string({ minLength: 129, maxLength: 300 }).map((s) => `a${s}`),
  fc.constantFrom('a'.repeat(129), 'x'.repeat(7), '', ' '.repeat(10)),
  validId.map((id) => `${id}:other-session`),
  validId.map((id) => `${id}/../x`),
  validId.map((id) => `${id}\u0000`),
  fc.constantFrom('ünïcødé-session', 'ａｂｃｄｅｆｇｈ', '😀😀😀😀😀😀😀😀', 'message:abc12345', '../../../../', '%3A%3A%3A%3A', 'abc12345 '),
  fc.string({ unit: 'binary', minLength: 8, maxLength: 40 }),
);

/** Non-string values where an id belongs. */
const oddIdValue = fc.oneof({ weight: 6, arbitrary: oddId }, fc.integer(), fc.constant(null), fc.array(validId, { maxLength: 2 }), fc.dictionary(fc.string(), fc.string()));

const content = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('', '   ', '\u0000', '\ud800', 'é'.repeat(2000), 'x'.repeat(20_001)) },
  fc.string({ maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.integer(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Bodies shaped like the protocol's, with odd parts. */
const protocolBody = fc.oneof(
  { weight: 3, arbitrary: fc.record({ sessionId: oddIdValue, message: fc.record({ id: oddIdValue, content }) }) },
  fc.record({ sessionId: oddIdValue, message: fc.record({ id: oddIdValue, content }, { requiredKeys: [] }) }, { requiredKeys: [] }),
  fc.record({ sessionId: oddIdValue, prompt: content }, { requiredKeys: [] }),
  { weight: 2, arbitrary: fc.record({ sessionId: oddIdValue, messageId: oddIdValue, content }) },
  fc.record({ sessionId: oddIdValue, message: content, prompt: content }),
);

const textBody: fc.Arbitrary<string> = fc.oneof(
  protocolBody.map((b) => JSON.stringify(b)),
  fc.json({ maxDepth: 4 }),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('', 'null', '[]', '{}', '{"sessionId":', '"just a string"', '{"__proto__":{"sessionId":"abcdefgh12"}}', '\ufeff{}'),
);

const body = fc.oneof(
  { weight: 4, arbitrary: textBody },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
);

const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constant('application/json') },
  fc.constantFrom(
  undefined,
  'application/json; charset=utf-8',
  'Application/JSON',
  'application/json;charset=utf-16',
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=zz',
  'application/jsonx',
  'application/json, text/plain',
  '',
  ),
);

const method = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'DELETE') },
  fc.constantFrom('PUT', 'PATCH', 'OPTIONS', 'HEAD'),
);
/** True about one time in ten. */
const rarely = fc.nat(9).map((n) => n === 0);
const path = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('/api/chat', '/api/chat/stop', '/api/history') },
  fc.constantFrom('/api/', '/api/chat/', '/api/history/x', '/api//chat', '/api/CHAT', '/api/chat/stop/'),
  fc.webPath().map((p) => `/api${p.startsWith('/') ? p : `/${p}`}`),
);

const query = fc.record(
  {
    sessionId: oddId,
    since: fc.oneof(fc.string({ maxLength: 20 }), fc.nat().map(String), fc.constantFrom('-1', '1e3', '99999999999999999', '0x10')),
    cursor: fc.oneof(fc.string({ maxLength: 40 }), fc.base64String({ maxLength: 40 })),
  },
  { requiredKeys: [] },
);

describe('hostile requests at every endpoint', () => {
  it('never get a 5xx, refusals are coded JSON errors that write nothing, and KV stays inside the named session', async () => {
    const { worker, calls } = harness();
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(method, path, query, contentType, body, rarely, async (m, p, q, type, b, foreign) => {
        calls.length = 0;
        const url = new URL(`${ORIGIN}${p}`);
        for (const [k, v] of Object.entries(q)) if (v !== undefined) url.searchParams.set(k, v);
        const headers = new Headers();
        if (type !== undefined) headers.set('content-type', type);
        if (foreign) headers.set('origin', 'https://attacker.example');
        const hasBody = m !== 'GET' && m !== 'HEAD';
        const request = new Request(url, { method: m, headers, ...(hasBody ? { body: b } : {}) });
        const outcome = await send(worker, request);
        checkInvariants(outcome, calls, url, m === 'POST' ? b : undefined);
        seen.add(label(outcome));
        if (foreign) expect(calls).toEqual([]);
      }),
      { numRuns: 500 },
    );
    const expected = ['200', '204', '400 invalid_json', '400 invalid_session_id', '400 invalid_cursor', '403 origin_not_allowed', '404 not_found', '405 method_not_allowed', '415 unsupported_media_type'];
    expect([...seen]).toEqual(expect.arrayContaining(expected));
  });

  it('protocol-shaped chat, stop and history requests with odd ids: no 5xx, and KV only under a valid named session', async () => {
    const { worker, calls } = harness();
    // Mostly valid ids, so that content and state checks are reached too.
    const likelyId = fc.oneof({ weight: 3, arbitrary: validId }, oddIdValue);
    const chatContent = fc.oneof(fc.constantFrom('', ' \n ', 'x'.repeat(20_001)), content);
    const chatBody = fc.record({ sessionId: likelyId, message: fc.record({ id: likelyId, content: chatContent }) });
    const stopBody = fc.record({ sessionId: likelyId, messageId: likelyId, content: fc.oneof(fc.string({ maxLength: 20 }), content) });
    const post = (route: 'chat' | 'chat/stop') => (b: unknown) => ({ route, body: JSON.stringify(b) });
    const query = (method: 'GET' | 'DELETE') => (sid: string) => ({ method, sid });
    const target = fc.oneof(
      chatBody.map(post('chat')),
      stopBody.map(post('chat/stop')),
      protocolBody.map(post('chat')),
      protocolBody.map(post('chat/stop')),
      oddId.map(query('GET')),
      oddId.map(query('DELETE')),
    );
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(target, async (t) => {
        calls.length = 0;
        const request =
          'route' in t
            ? new Request(`${ORIGIN}/api/${t.route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: t.body })
            : new Request(`${ORIGIN}/api/history?${new URLSearchParams({ sessionId: t.sid })}`, { method: t.method });
        const outcome = await send(worker, request);
        checkInvariants(outcome, calls, new URL(request.url), 'route' in t ? t.body : undefined);
        seen.add(label(outcome));
      }),
      { numRuns: 400 },
    );
    const expected = ['200', '400 invalid_session_id', '400 invalid_message_id', '400 invalid_request', '400 empty_content', '400 content_too_long', '404 message_not_found'];
    expect([...seen]).toEqual(expect.arrayContaining(expected));
  });

  it('forged page tokens and since cursors are refused or answered, never a 5xx, never outside the session', async () => {
    const { worker, calls } = harness();
    const sessionId = 'forged-cursor-session';
    const token = fc
      .record({
        c: fc.oneof(fc.constant(null), fc.string({ maxLength: 60 }), fc.base64String({ maxLength: 60 })),
        a: fc.oneof({ weight: 5, arbitrary: fc.oneof(fc.constant(null), fc.stringMatching(/^[A-Za-z0-9_-]{8,40}$/)) }, fc.string(), fc.double(), fc.nat()),
      })
      .map((t) => btoa(JSON.stringify(t)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(token, fc.option(fc.nat().map(String)), async (cursor, since) => {
        calls.length = 0;
        const params = new URLSearchParams({ sessionId, cursor });
        if (since !== null) params.set('since', since);
        const url = new URL(`${ORIGIN}/api/history?${params}`);
        const outcome = await send(worker, new Request(url));
        checkInvariants(outcome, calls, url, undefined);
        seen.add(label(outcome));
      }),
      { numRuns: 200 },
    );
    expect([...seen]).toEqual(expect.arrayContaining(['200', '400 invalid_cursor']));
  });
});

describe('huge and deeply nested bodies', () => {
  const sessionId = 'huge-body-session';
  const chat = (body: BodyInit, headers: Record<string, string> = {}) =>
    new Request(`${ORIGIN}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  const cases: { name: string; request: () => Request; status: number; code: string }[] = [
    { name: '4 MiB of JSON with its Content-Length', request: () => chat(JSON.stringify({ sessionId, message: { id: 'huge-msg-0001', content: 'x'.repeat(4 << 20) } })), status: 413, code: 'payload_too_large' },
    {
      name: '4 MiB streamed in 64 KiB chunks, no Content-Length',
      request: () => {
        const chunk = new Uint8Array(64 * 1024).fill(0x20);
        let sent = 0;
        return chat(new ReadableStream<Uint8Array>({ pull: (c) => (sent++ < 64 ? c.enqueue(chunk) : c.close()) }));
      },
      status: 413,
      code: 'payload_too_large',
    },
    { name: 'arrays nested 60,000 deep', request: () => chat(`${'['.repeat(60_000)}${']'.repeat(60_000)}`), status: 400, code: 'invalid_request' },
    { name: 'objects nested 20,000 deep as the sessionId', request: () => chat(`{"sessionId":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`), status: 400, code: 'invalid_session_id' },
    {
      name: 'nesting 20,000 deep as the message content',
      request: () => chat(`{"sessionId":"${sessionId}","message":{"id":"nested-msg-01","content":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`),
      status: 400,
      code: 'invalid_request',
    },
    { name: 'an unterminated nesting', request: () => chat('['.repeat(100_000)), status: 400, code: 'invalid_json' },
    { name: 'invalid UTF-8', request: () => chat(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])), status: 400, code: 'invalid_json' },
    { name: 'UTF-16 bytes', request: () => chat(new Uint8Array([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00])), status: 400, code: 'invalid_json' },
    { name: '10,000 keys and no sessionId', request: () => chat(JSON.stringify(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i])))), status: 400, code: 'invalid_session_id' },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const { worker, calls } = harness();
      const outcome = await send(worker, c.request());
      expect(outcome.status, outcome.text).toBe(c.status);
      expect(JSON.parse(outcome.text)).toEqual({ error: { code: c.code, message: expect.any(String) } });
      expect(calls).toEqual([]);
    });
  }
});

describe('hostile sequences of valid requests', () => {
  it('a stop sent after the reply is final does not rewrite it: final records never change', async () => {
    const worker = chatWorker({ model: scriptedModel(['The ', 'real ', 'answer.']) });
    const sessionId = 'final-record-session';
    const sent = await send(worker, new Request(`${ORIGIN}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId, message: { id: 'final-record-turn', content: 'Hi' } }),
    }));
    const done = sent.text.split('\n\n').find((block) => block.includes('event: done')) ?? '';
    const final = (JSON.parse(done.slice(done.indexOf('data: ') + 6)) as { message: { id: string; content: string; status: string } }).message;
    expect(final).toMatchObject({ status: 'complete', content: 'The real answer.' });

    const stop = await send(worker, new Request(`${ORIGIN}/api/chat/stop`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId, messageId: final.id, content: 'Words put in the model’s mouth' }),
    }));
    expect(stop.status).toBeLessThan(500);
    const history = await send(worker, new Request(`${ORIGIN}/api/history?sessionId=${sessionId}`));
    const stored = (JSON.parse(history.text) as { messages: { id: string }[] }).messages.find((m) => m.id === final.id);
    expect(stored).toEqual(final);
  });

  it('a turn whose derived reply id names a user turn kept from before the suffix rule: that turn is never overwritten', async () => {
    const worker = chatWorker({ model: scriptedModel(['ok']) });
    const sessionId = 'reply-id-collision';
    // Written before user ids were kept out of the reply id space: `question1_r` is also the reply id of `question1`.
    const at = new Date(Date.UTC(2026, 0, 1)).toISOString();
    await seed([{ id: 'question1_r', sessionId, role: 'user', content: 'First question', timestamp: at, updatedAt: at, status: 'complete' }]);
    const second = await send(worker, new Request(`${ORIGIN}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId, message: { id: 'question1', content: 'Second question' } }),
    }));
    expect(second.status).toBe(409);
    const history = await send(worker, new Request(`${ORIGIN}/api/history?sessionId=${sessionId}`));
    const messages = (JSON.parse(history.text) as { messages: { id: string; role: string; content: string }[] }).messages;
    expect(messages.find((m) => m.id === 'question1_r')).toMatchObject({ role: 'user', content: 'First question' });
  });
});
