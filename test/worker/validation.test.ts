import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import deployable, { HttpError } from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { uniqueId } from './support/ids';
import { call, chatRequest, historyRequest, kvDump, ORIGIN } from './support/requests';
import { scriptedModel } from './support/scripted-model';

async function expectError(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  expect(body.error.message).not.toMatch(/at \w+ \(|\.ts:\d+/);
}

async function everything(): Promise<string[]> {
  return Object.keys(await kvDump('message:'));
}

describe('bad input gets a 4xx JSON error and writes nothing', () => {
  const sessionId = 'valid-session-0001';
  const message = { id: 'valid-message-0001', content: 'Hello' };
  const cases: { name: string; request: () => Request; status: number; code: string }[] = [
    {
      name: 'wrong content type',
      request: () => new Request(`${ORIGIN}/api/chat`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ sessionId, message }) }),
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'Content-Length over the limit',
      request: () => chatRequest(JSON.stringify({ sessionId, message: { id: message.id, content: 'x'.repeat(200_000) } })),
      status: 413,
      code: 'payload_too_large',
    },
    { name: 'malformed JSON', request: () => chatRequest('{"sessionId":'), status: 400, code: 'invalid_json' },
    { name: 'a JSON array', request: () => chatRequest([1, 2]), status: 400, code: 'invalid_request' },
    { name: 'no sessionId', request: () => chatRequest({ message }), status: 400, code: 'invalid_session_id' },
    { name: 'a short sessionId', request: () => chatRequest({ sessionId: 'short', message }), status: 400, code: 'invalid_session_id' },
    { name: "a ':' in the sessionId", request: () => chatRequest({ sessionId: 'abc12345:x', message }), status: 400, code: 'invalid_session_id' },
    { name: 'a sessionId of 129 chars', request: () => chatRequest({ sessionId: 'a'.repeat(129), message }), status: 400, code: 'invalid_session_id' },
    { name: "a ':' in the message id", request: () => chatRequest({ sessionId, message: { ...message, id: 'abc12345:zz' } }), status: 400, code: 'invalid_message_id' },
    { name: "a '/' in the message id", request: () => chatRequest({ sessionId, message: { ...message, id: 'abc12345/zz' } }), status: 400, code: 'invalid_message_id' },
    { name: 'a numeric message id', request: () => chatRequest({ sessionId, message: { ...message, id: 12345678 } }), status: 400, code: 'invalid_message_id' },
    { name: 'no message', request: () => chatRequest({ sessionId }), status: 400, code: 'invalid_request' },
    { name: 'empty content', request: () => chatRequest({ sessionId, message: { ...message, content: '' } }), status: 400, code: 'empty_content' },
    { name: 'blank content', request: () => chatRequest({ sessionId, message: { ...message, content: ' \n ' } }), status: 400, code: 'empty_content' },
    { name: 'non-string content', request: () => chatRequest({ sessionId, message: { ...message, content: 42 } }), status: 400, code: 'invalid_request' },
    { name: 'over-long content', request: () => chatRequest({ sessionId, message: { ...message, content: 'y'.repeat(20_001) } }), status: 400, code: 'content_too_long' },
    { name: 'an empty legacy prompt', request: () => chatRequest({ sessionId, prompt: '' }), status: 400, code: 'empty_content' },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const before = await everything();
      await expectError(await exports.default.fetch(c.request()), c.status, c.code);
      expect(await everything()).toEqual(before);
    });
  }

  it('a streamed body over the limit (no Content-Length)', async () => {
    const before = await everything();
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    // The Worker cancels the body once it is past the limit, so the writes it never reads reject, here. The body is
    // a native stream handed straight to the deployable handler: through `exports.default.fetch` it would cross a
    // pipe whose writer is the runtime itself, which prints that same rejection as a native stack trace and an
    // uncaught "Network connection lost".
    const { readable, writable } = new IdentityTransformStream();
    const writer = writable.getWriter();
    const writes = (async () => {
      for (let sent = 0; sent < 4; sent += 1) await writer.write(chunk);
      await writer.close();
    })().then(
      () => 'all written',
      (error: unknown) => error,
    );
    const request = new Request(`${ORIGIN}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: readable });
    const ctx = createExecutionContext();
    const response = await deployable.fetch(request, env, ctx);
    await waitOnExecutionContext(ctx);
    await expectError(response, 413, 'payload_too_large');
    expect(await writes).toBeInstanceOf(Error);
    expect(await everything()).toEqual(before);
  });

  it('stop with bad ids or body', async () => {
    const before = await everything();
    const stop = (body: unknown) =>
      exports.default.fetch(new Request(`${ORIGIN}/api/chat/stop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
    await expectError(await stop({ sessionId: 'x', messageId: 'valid-message-0001', content: '' }), 400, 'invalid_session_id');
    await expectError(await stop({ sessionId, messageId: 'a:bcdefghi', content: '' }), 400, 'invalid_message_id');
    await expectError(await stop({ sessionId, messageId: 'unknown-message-01', content: 'x' }), 404, 'message_not_found');
    expect(await everything()).toEqual(before);
  });

  it('history with a bad sessionId or cursor', async () => {
    await expectError(await exports.default.fetch(historyRequest({ sessionId: 'abc/12345' })), 400, 'invalid_session_id');
    await expectError(await exports.default.fetch(historyRequest({ sessionId, since: 'yesterday' })), 400, 'invalid_cursor');
    await expectError(await exports.default.fetch(historyRequest({ sessionId, cursor: 'not-a-token' })), 400, 'invalid_cursor');
  });
});

describe('routing', () => {
  it('answers unknown routes with a JSON 404', async () => {
    await expectError(await exports.default.fetch(`${ORIGIN}/api/nope`), 404, 'not_found');
    await expectError(await exports.default.fetch(`${ORIGIN}/api`), 404, 'not_found');
  });

  it('answers a wrong method with a JSON 405 and Allow', async () => {
    const response = await exports.default.fetch(`${ORIGIN}/api/chat`);
    expect(response.headers.get('allow')).toBe('POST, OPTIONS');
    await expectError(response, 405, 'method_not_allowed');
    const put = await exports.default.fetch(new Request(`${ORIGIN}/api/history?sessionId=abcdefgh`, { method: 'PUT' }));
    expect(put.headers.get('allow')).toBe('GET, DELETE, OPTIONS');
    await expectError(put, 405, 'method_not_allowed');
  });

  it('mounts under another base path', async () => {
    const worker = chatWorker({ basePath: '/chatkeep/v1', model: scriptedModel(['ok']) });
    const sessionId = uniqueId('s');
    const { response } = await call(worker, new Request(`${ORIGIN}/chatkeep/v1/history?sessionId=${sessionId}`));
    expect(response.status).toBe(200);
    const miss = await call(worker, historyRequest({ sessionId }));
    expect(miss.response.status).toBe(404);
  });

  it('refuses options KV cannot honour when the worker is created', () => {
    expect(() => chatWorker({ checkpointIntervalMs: 500 })).toThrow(RangeError);
    expect(() => chatWorker({ retentionSeconds: 30 })).toThrow(RangeError);
    expect(() => chatWorker({ limits: { maxBodyBytes: 0 } })).toThrow(RangeError);
  });

  it('turns an unexpected error into a generic 500 without its message', async () => {
    const logged: unknown[] = [];
    const worker = chatWorker({
      kv: () => {
        throw new Error('secret internal detail');
      },
      log: (e) => logged.push(e),
    });
    const { response, text } = await call(worker, historyRequest({ sessionId: uniqueId('s') }));
    expect(response.status).toBe(500);
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal_error', message: 'Internal error' } });
    expect(text).not.toContain('secret');
    expect(logged).toHaveLength(1);
  });
});

describe('access', () => {
  it('refuses with 403 when authorize returns false, and with the thrown HttpError', async () => {
    const worker = chatWorker({
      model: scriptedModel(['ok']),
      authorize: (request, sessionId) => {
        if (!request.headers.has('authorization')) throw new HttpError(401, 'unauthorized', 'Sign in first');
        return sessionId.startsWith('mine-');
      },
    });
    const body = { sessionId: uniqueId('theirs'), message: { id: uniqueId('m'), content: 'Hi' } };
    const before = await everything();
    const anonymous = await call(worker, chatRequest(body));
    expect(anonymous.response.status).toBe(401);
    expect(JSON.parse(anonymous.text).error.code).toBe('unauthorized');
    const denied = await call(worker, chatRequest(body, { authorization: 'Bearer t' }));
    expect(denied.response.status).toBe(403);
    expect(JSON.parse(denied.text).error.code).toBe('forbidden');
    const history = await call(worker, new Request(`${ORIGIN}/api/history?sessionId=${body.sessionId}`, { headers: { authorization: 'Bearer t' } }));
    expect(history.response.status).toBe(403);
    expect(await everything()).toEqual(before);
    const allowed = await call(worker, chatRequest({ ...body, sessionId: uniqueId('mine') }, { authorization: 'Bearer t' }));
    expect(allowed.response.status).toBe(200);
  });

  it('answers 429 with Retry-After when the rate limiter refuses', async () => {
    const keys: string[] = [];
    const worker = chatWorker({
      model: scriptedModel(['ok']),
      rateLimiter: { limit: async ({ key }) => ({ success: (keys.push(key), keys.length <= 1) }) },
    });
    const sessionId = uniqueId('s');
    expect((await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'a' } }))).response.status).toBe(200);
    const limited = await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'b' } }));
    expect(limited.response.status).toBe(429);
    expect(limited.response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(JSON.parse(limited.text).error.code).toBe('rate_limited');
    expect(keys).toEqual([sessionId, sessionId]);
  });

  it('allows no cross-origin caller by default and the listed ones when configured', async () => {
    const sessionId = uniqueId('s');
    const foreign = { origin: 'https://elsewhere.example' };
    const closed = await exports.default.fetch(historyRequest({ sessionId }), undefined);
    expect(closed.status).toBe(200);
    const refused = await exports.default.fetch(new Request(`${ORIGIN}/api/history?sessionId=${sessionId}`, { headers: foreign }));
    await expectError(refused, 403, 'origin_not_allowed');
    const sameOrigin = await exports.default.fetch(new Request(`${ORIGIN}/api/history?sessionId=${sessionId}`, { headers: { origin: ORIGIN } }));
    expect(sameOrigin.status).toBe(200);

    const open = chatWorker({ corsOrigins: ['https://elsewhere.example'] });
    const preflight = await call(open, new Request(`${ORIGIN}/api/chat`, { method: 'OPTIONS', headers: foreign }));
    expect(preflight.response.status).toBe(204);
    expect(preflight.response.headers.get('access-control-allow-origin')).toBe('https://elsewhere.example');
    expect(preflight.response.headers.get('access-control-allow-methods')).toContain('POST');
    const read = await call(open, new Request(`${ORIGIN}/api/history?sessionId=${sessionId}`, { headers: foreign }));
    expect(read.response.headers.get('access-control-allow-origin')).toBe('https://elsewhere.example');
    void env;
  });
});
