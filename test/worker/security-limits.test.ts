import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import {
  HttpError,
  optionsFromEnv,
  type ChatKeepEnv,
  type ChatWorker,
  type RateLimiter,
} from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { createChatWorker } from '../../worker/index';
import { uniqueId } from './support/ids';
import { spyKv } from './support/kv-spy';
import { call, chatRequest, historyRequest, kvDump } from './support/requests';
import { scriptedModel } from './support/scripted-model';

async function expectError(worker: ChatWorker<Cloudflare.Env>, request: Request, status: number, code: string): Promise<string> {
  const { response, text } = await call(worker, request);
  expect(response.status, text).toBe(status);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  return body.error.message;
}

describe('limits, by option, with clear errors', () => {
  it('maxBodyBytes: a body over it is 413 payload_too_large naming the limit, checked on the bytes when no length is declared', async () => {
    const spy = spyKv(env.CHAT_KV);
    const worker = chatWorker({ kv: spy.kv, model: scriptedModel(['ok']), limits: { maxBodyBytes: 1024 } });
    const sessionId = uniqueId('s');
    const big = JSON.stringify({ sessionId, message: { id: uniqueId('m'), content: 'x'.repeat(1100) } });
    expect(await expectError(worker, chatRequest(big), 413, 'payload_too_large')).toContain('1024');
    const bytes = new TextEncoder().encode(big);
    const streamed = new Request(chatRequest('{}').url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes.slice(0, 600));
          controller.enqueue(bytes.slice(600));
          controller.close();
        },
      }),
    });
    await expectError(worker, streamed, 413, 'payload_too_large');
    expect(spy.counts).toEqual({ get: 0, put: 0, list: 0, delete: 0 });
    const fits = JSON.stringify({ sessionId, message: { id: uniqueId('m'), content: 'x'.repeat(900) } });
    expect((await call(worker, chatRequest(fits))).response.status).toBe(200);
  });

  it('maxContentChars: a longer turn is 400 content_too_long naming the limit; one at the limit is taken', async () => {
    const worker = chatWorker({ model: scriptedModel(['ok']), limits: { maxContentChars: 10 } });
    const sessionId = uniqueId('s');
    const message = await expectError(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: '12345678901' } }), 400, 'content_too_long');
    expect(message).toContain('10');
    await expectError(worker, chatRequest({ sessionId, prompt: 'x'.repeat(11) }), 400, 'content_too_long');
    expect(await kvDump(`message:${sessionId}:`)).toEqual({});
    expect((await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: '1234567890' } }))).response.status).toBe(200);
  });

  it('maxTurnsPerSession: a new turn past it is 409 too_many_turns, writes nothing, and a retry of an earlier turn still replays', async () => {
    const model = scriptedModel(['ok']);
    const worker = chatWorker({ model, limits: { maxTurnsPerSession: 2 } });
    const sessionId = uniqueId('s');
    const first = { sessionId, message: { id: uniqueId('m'), content: 'one' } };
    expect((await call(worker, chatRequest(first))).response.status).toBe(200);
    expect((await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'two' } }))).response.status).toBe(200);
    const before = await kvDump(`message:${sessionId}:`);
    expect(await expectError(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'three' } }), 409, 'too_many_turns')).toContain('2');
    expect(await kvDump(`message:${sessionId}:`)).toEqual(before);
    const replay = await call(worker, chatRequest(first));
    expect(replay.response.status).toBe(200);
    expect(model.calls).toHaveLength(2);
  });
});

/**
 * Shaped like the Workers Rate Limiting binding (`limit({ key }) → { success }`): a fixed window per key, as the
 * binding counts.
 */
function fixedWindowLimiter(options: { limit: number; periodMs: number; now: () => number }) {
  const windows = new Map<string, { start: number; count: number }>();
  const keys: string[] = [];
  const limiter: RateLimiter = {
    async limit({ key }) {
      keys.push(key);
      const nowMs = options.now();
      const window = windows.get(key);
      if (window === undefined || nowMs - window.start >= options.periodMs) {
        windows.set(key, { start: nowMs, count: 1 });
        return { success: true };
      }
      window.count++;
      return { success: window.count <= options.limit };
    },
  };
  return { limiter, keys };
}

describe('per-session rate limiting through a binding-shaped limiter', () => {
  it('limits one session without touching another; a refusal is 429 with Retry-After and writes nothing; the window passes', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const { limiter } = fixedWindowLimiter({ limit: 2, periodMs: 60_000, now: () => clock });
    const worker = chatWorker({ model: scriptedModel(['ok']), rateLimiter: limiter });
    const busy = uniqueId('busy');
    const calm = uniqueId('calm');
    const send = (sessionId: string) => call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
    expect((await send(busy)).response.status).toBe(200);
    expect((await send(busy)).response.status).toBe(200);
    const before = await kvDump(`message:${busy}:`);
    const refused = await send(busy);
    expect(refused.response.status).toBe(429);
    expect(refused.response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(JSON.parse(refused.text).error.code).toBe('rate_limited');
    expect(await kvDump(`message:${busy}:`)).toEqual(before);
    expect((await send(calm)).response.status).toBe(200);
    clock += 60_000;
    expect((await send(busy)).response.status).toBe(200);
  });

  it('is consulted only after authorize: an unauthenticated caller cannot use up a user’s quota', async () => {
    const { limiter, keys } = fixedWindowLimiter({ limit: 1, periodMs: 60_000, now: Date.now });
    const worker = chatWorker({
      model: scriptedModel(['ok']),
      rateLimiter: limiter,
      authorize: (request) => {
        if (request.headers.get('authorization') !== 'Bearer good') throw new HttpError(401, 'unauthorized', 'Sign in');
      },
    });
    const sessionId = uniqueId('s');
    for (let i = 0; i < 5; i++) {
      const { response } = await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
      expect(response.status).toBe(401);
    }
    expect(keys).toEqual([]);
    const ok = await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }, { authorization: 'Bearer good' }));
    expect(ok.response.status).toBe(200);
  });

  it('can count per user instead of per session with rateLimitKey', async () => {
    const { limiter, keys } = fixedWindowLimiter({ limit: 1, periodMs: 60_000, now: Date.now });
    const worker = chatWorker({
      model: scriptedModel(['ok']),
      rateLimiter: limiter,
      rateLimitKey: (request) => request.headers.get('x-user') ?? 'anonymous',
    });
    const send = (sessionId: string) => call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }, { 'x-user': 'carol' }));
    expect((await send(uniqueId('s'))).response.status).toBe(200);
    expect((await send(uniqueId('s'))).response.status).toBe(429);
    expect(keys).toEqual(['carol', 'carol']);
  });

  it('the deployable Worker reads the binding from env.RATE_LIMITER', async () => {
    const { limiter, keys } = fixedWindowLimiter({ limit: 1, periodMs: 60_000, now: Date.now });
    const bound: ChatKeepEnv = {
      CHAT_KV: env.CHAT_KV,
      CHAT_CONVERSATIONS: env.CHAT_CONVERSATIONS,
      MODEL_PROVIDER: 'demo',
      DEMO_DELAY_MS: '0',
      RATE_LIMITER: limiter,
    };
    const worker = createChatWorker(optionsFromEnv(bound));
    const sessionId = uniqueId('s');
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++) {
      const ctx = createExecutionContext();
      const response = await worker.fetch(chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }), bound, ctx);
      await response.text();
      await waitOnExecutionContext(ctx);
      statuses.push(response.status);
    }
    expect(statuses).toEqual([200, 429]);
    expect(keys).toEqual([sessionId, sessionId]);
    const history = await call(chatWorker(), historyRequest({ sessionId }));
    expect(JSON.parse(history.text).messages).toHaveLength(2);
  });
});
