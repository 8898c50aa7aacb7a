import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../sdk/protocol';
import { messageKey } from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { uniqueId } from './support/ids';
import { spyKv } from './support/kv-spy';
import { call, chatRequest, kvDump } from './support/requests';
import { scriptedModel } from './support/scripted-model';
import { parseSse } from './support/sse';

describe('KV failures', () => {
  it('a put that throws before the stream: 503 JSON with Retry-After, no stream, nothing left behind', async () => {
    const spy = spyKv(env.CHAT_KV);
    const sessionId = uniqueId('s');
    const userId = uniqueId('m');
    spy.failWhen((op, key) => op === 'put' && key === messageKey(sessionId, userId));
    const logged: unknown[] = [];
    const worker = chatWorker({ kv: spy.kv, model: scriptedModel(['never', ' seen']), log: (e) => logged.push(e) });
    const { response, text } = await call(worker, chatRequest({ sessionId, message: { id: userId, content: 'Hi' } }));
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(JSON.parse(text)).toEqual({ error: { code: 'storage_unavailable', message: expect.any(String) } });
    expect(text).not.toContain('injected');
    expect(await kvDump(`message:${sessionId}:`)).toEqual({});
    expect(logged.length).toBeGreaterThan(0);
  });

  it('a checkpoint that throws does not end the stream; the final record is still written', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const spy = spyKv(env.CHAT_KV);
    spy.failWhen((op, _key, value) => op === 'put' && value !== undefined && /"status":"streaming"/.test(value) && !/"content":""/.test(value));
    const pieces = Array.from({ length: 10 }, (_, i) => `p${i} `);
    const worker = chatWorker({
      kv: spy.kv,
      model: scriptedModel(pieces, () => {
        clock += 700;
      }),
      now: () => clock,
      log: () => undefined,
    });
    const sessionId = uniqueId('s');
    const { text } = await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
    const { events } = parseSse(text);
    expect(events.filter((e) => e.event === 'delta')).toHaveLength(10);
    const done = events.at(-1);
    expect(done?.event).toBe('done');
    const message = (done?.data as { message: ChatMessage }).message;
    expect(await env.CHAT_KV.get(messageKey(sessionId, message.id), 'json')).toEqual(message);
    expect(message.content).toBe(pieces.join(''));
  });

  it('a final write KV keeps refusing: done is sent, and the record reaches KV once it takes writes again', async () => {
    const spy = spyKv(env.CHAT_KV);
    const refuseFinal = (op: string, value: string | undefined) =>
      op === 'put' && value !== undefined && /"status":"complete"/.test(value) && /"role":"assistant"/.test(value);
    spy.failWhen((op, _key, value) => refuseFinal(op, value));
    const worker = chatWorker({ kv: spy.kv, model: scriptedModel(['a', 'b']), log: () => undefined });
    const sessionId = uniqueId('s');
    const { text } = await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
    const last = parseSse(text).events.at(-1);
    expect(last?.event).toBe('done');
    const done = (last?.data as { message: ChatMessage }).message;
    expect(await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, done.id), 'json')).toMatchObject({ status: 'streaming' });
    spy.failWhen(undefined);
    let stored: ChatMessage | null = null;
    for (let attempt = 0; attempt < 100 && stored?.status !== 'complete'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      stored = await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, done.id), 'json');
    }
    expect(stored).toEqual(done);
  });
});
