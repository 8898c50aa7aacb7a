import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, DoneEventData, StartEventData } from '../../sdk/protocol';
import { demoReplyWords, messageKey, ModelError } from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { uniqueId } from './support/ids';
import { call, chatRequest, historyRequest, kvDump } from './support/requests';
import { gate, scriptedModel } from './support/scripted-model';
import { parseSse } from './support/sse';
import { spyKv } from './support/kv-spy';
import { seed } from './support/seed';

describe('POST /api/chat', () => {
  it('streams start, deltas and done, and persists both turns under the key history reads', async () => {
    const sessionId = uniqueId('s');
    const id = uniqueId('m');
    const response = await exports.default.fetch(chatRequest({ sessionId, message: { id, content: 'Hello' } }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    const { events } = parseSse(await response.text());

    expect(events[0]?.event).toBe('start');
    const start = events[0]?.data as StartEventData;
    expect(start.userMessage).toMatchObject({ id, sessionId, role: 'user', content: 'Hello', status: 'complete' });
    expect(start.assistantMessage).toMatchObject({ role: 'assistant', content: '', status: 'streaming', replyTo: id });
    const deltas = events.filter((e) => e.event === 'delta').map((e) => (e.data as { text: string }).text);
    expect(deltas).toEqual(demoReplyWords('Hello'));
    const last = events.at(-1);
    expect(last?.event).toBe('done');
    const done = (last?.data as DoneEventData).message;
    expect(done).toMatchObject({ id: start.assistantMessage.id, status: 'complete', content: deltas.join('') });
    expect(Date.parse(done.timestamp)).toBeGreaterThan(Date.parse(start.userMessage.timestamp));

    const ids = events.map((e) => Number(e.id));
    expect(ids.every((n, i) => i === 0 || n > (ids[i - 1] ?? 0))).toBe(true);

    const stored = await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, done.id), 'json');
    expect(stored).toEqual(done);
    const history = (await (await exports.default.fetch(historyRequest({ sessionId }))).json()) as { messages: ChatMessage[] };
    expect(history.messages).toEqual([start.userMessage, done]);
  });

  it('accepts the older {sessionId, prompt} body and makes a time-ordered id', async () => {
    const sessionId = uniqueId('s');
    const response = await exports.default.fetch(chatRequest({ sessionId, prompt: 'Older client' }));
    const { events } = parseSse(await response.text());
    const start = events[0]?.data as StartEventData;
    expect(start.userMessage.content).toBe('Older client');
    expect(start.userMessage.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(events.at(-1)?.event).toBe('done');
  });

  it('gives the model the conversation from KV, bounded by the context window, not what the client claims', async () => {
    const model = scriptedModel(['ok']);
    const worker = chatWorker({ model, contextWindow: 3 });
    const sessionId = uniqueId('s');
    for (const content of ['one', 'two', 'three']) {
      await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content } }));
    }
    const lastCall = model.calls.at(-1);
    // The window holds the three latest stored messages, then the new turn.
    expect(lastCall).toEqual([
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: 'two' },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: 'three' },
    ]);
  });

  it('replays a complete reply for a repeated message id without calling the model', async () => {
    const model = scriptedModel(['Hi', ' there']);
    const worker = chatWorker({ model });
    const sessionId = uniqueId('s');
    const body = { sessionId, message: { id: uniqueId('m'), content: 'Hello' } };
    const first = parseSse((await call(worker, chatRequest(body))).text).events;
    const again = parseSse((await call(worker, chatRequest(body))).text).events;
    expect(model.calls).toHaveLength(1);
    expect(again.map((e) => e.event)).toEqual(['start', 'delta', 'done']);
    expect(again[1]?.data).toEqual({ id: (first[0]?.data as StartEventData).assistantMessage.id, text: 'Hi there' });
    expect(again[2]?.data).toEqual(first.at(-1)?.data);
    expect(Object.keys(await kvDump(`message:${sessionId}:`))).toHaveLength(2);
  });

  it('attaches a repeated turn to its reply while it streams: the model runs once, both streams end the same', async () => {
    const sessionId = uniqueId('s');
    const id = uniqueId('m');
    const hold = gate();
    const model = scriptedModel(['partial', hold, ' rest']);
    const worker = chatWorker({ model });
    const ctx = createExecutionContext();
    const first = await worker.fetch(chatRequest({ sessionId, message: { id, content: 'Hi' } }), env, ctx);
    const reader = first.body!.pipeThrough(new TextDecoderStream()).getReader();
    let firstText = '';
    while (!firstText.includes('partial')) firstText += (await reader.read()).value ?? '';

    const again = call(worker, chatRequest({ sessionId, message: { id, content: 'Hi' } }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    hold.release();
    for (let read = await reader.read(); !read.done; read = await reader.read()) firstText += read.value;
    await waitOnExecutionContext(ctx);
    const repeated = parseSse((await again).text).events;
    expect(repeated[0]?.event).toBe('start');
    expect(repeated.at(-1)).toEqual(parseSse(firstText).events.at(-1));
    expect(repeated.at(-1)?.data).toMatchObject({ message: { status: 'complete', content: 'partial rest' } });
    expect(model.calls).toHaveLength(1);
  });

  it('refuses a new turn past maxTurnsPerSession with 409 too_many_turns and writes nothing', async () => {
    const worker = chatWorker({ model: scriptedModel(['ok']), limits: { maxTurnsPerSession: 2 } });
    const sessionId = uniqueId('s');
    for (const content of ['a', 'b']) await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content } }));
    const before = await kvDump(`message:${sessionId}:`);
    const { response, text } = await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'c' } }));
    expect(response.status).toBe(409);
    expect(JSON.parse(text).error.code).toBe('too_many_turns');
    expect(await kvDump(`message:${sessionId}:`)).toEqual(before);
  });

  it("refuses with 409 invalid_message_id and writes nothing when the turn's reply id already names another turn", async () => {
    const worker = chatWorker({ model: scriptedModel(['ok']) });
    const sessionId = uniqueId('s');
    const userId = uniqueId('m');
    // A user turn kept from before user ids were kept out of the reply id space, at the id derived for `userId`'s reply.
    const at = new Date().toISOString();
    await seed([{ id: `${userId}_r`, sessionId, role: 'user', content: 'First', timestamp: at, updatedAt: at, status: 'complete' }]);
    const before = await kvDump(`message:${sessionId}:`);
    const refused = await call(worker, chatRequest({ sessionId, message: { id: userId, content: 'Second' } }));
    expect(refused.response.status).toBe(409);
    expect(JSON.parse(refused.text)).toEqual({ error: { code: 'invalid_message_id', message: expect.any(String) } });
    expect(await kvDump(`message:${sessionId}:`)).toEqual(before);
    // A new turn cannot take a reply's id at all: ids ending with the reply suffix are refused up front.
    const asUser = await call(worker, chatRequest({ sessionId, message: { id: `${userId}_r`, content: 'x' } }));
    expect(asUser.response.status).toBe(400);
    expect(JSON.parse(asUser.text).error.code).toBe('invalid_message_id');
    expect(await kvDump(`message:${sessionId}:`)).toEqual(before);
  });

  it('does not replay a record at the reply id that answers another turn', async () => {
    const worker = chatWorker({ model: scriptedModel(['ok']) });
    const sessionId = uniqueId('s');
    const userId = uniqueId('m');
    const at = new Date().toISOString();
    // The turn and, under its reply's key, a record that says it answers something else (an older deployment's).
    await seed([
      { id: userId, sessionId, role: 'user', content: 'Hi', timestamp: at, updatedAt: at, status: 'complete' },
      { id: `${userId}_r`, sessionId, role: 'assistant', content: 'ok', timestamp: at, updatedAt: at, status: 'complete', replyTo: 'another-turn-id' },
    ]);
    const before = await kvDump(`message:${sessionId}:`);
    const again = await call(worker, chatRequest({ sessionId, message: { id: userId, content: 'Hi' } }));
    expect(again.response.status).toBe(409);
    expect(JSON.parse(again.text).error.code).toBe('invalid_message_id');
    expect(await kvDump(`message:${sessionId}:`)).toEqual(before);
  });

  it('ends with error and keeps the partial text when the model fails', async () => {
    const worker = chatWorker({ model: scriptedModel(['Half ', 'a reply', { fail: new ModelError('model_error', 'upstream broke') }]) });
    const sessionId = uniqueId('s');
    const { text } = await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
    const last = parseSse(text).events.at(-1);
    expect(last?.event).toBe('error');
    const data = last?.data as { error: { code: string }; message: ChatMessage };
    expect(data.error.code).toBe('model_error');
    expect(data.message).toMatchObject({ status: 'error', content: 'Half a reply', error: { code: 'model_error' } });
    expect(await env.CHAT_KV.get(messageKey(sessionId, data.message.id), 'json')).toEqual(data.message);
  });

  it('sends : ping comments while the model is silent', async () => {
    const hold = gate();
    const worker = chatWorker({ model: scriptedModel(['a', hold, 'b']), pingIntervalMs: 20 });
    const ctx = createExecutionContext();
    const response = await worker.fetch(chatRequest({ sessionId: uniqueId('s'), message: { id: uniqueId('m'), content: 'Hi' } }), env, ctx);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    // The model stays silent until a ping came through, however slow the machine.
    let text = '';
    while (!text.includes(': ping')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    hold.release();
    for (let read = await reader.read(); !read.done; read = await reader.read()) text += read.value;
    await waitOnExecutionContext(ctx);
    const { events, comments } = parseSse(text);
    expect(comments).toContain('ping');
    expect(events.at(-1)?.event).toBe('done');
  });

  it('starts the model alongside the user-turn write, and sends start only once that write has landed', async () => {
    const spy = spyKv(env.CHAT_KV);
    const userWrite = gate();
    const sessionId = uniqueId('s');
    const userId = uniqueId('m');
    const gatedKv = new Proxy(spy.kv, {
      get(target, prop, receiver) {
        if (prop !== 'put') return Reflect.get(target, prop, receiver);
        return async (key: string, value: string, options?: KVNamespacePutOptions) => {
          if (key === messageKey(sessionId, userId)) await userWrite.wait;
          return target.put(key, value, options);
        };
      },
    });
    const model = scriptedModel(['a', 'b', 'c']);
    const worker = chatWorker({ model, kv: gatedKv });
    const ctx = createExecutionContext();
    let answered = false;
    const pending = worker.fetch(chatRequest({ sessionId, message: { id: userId, content: 'Hi' } }), env, ctx).then((r) => {
      answered = true;
      return r;
    });
    while (model.yielded < 3) await new Promise((r) => setTimeout(r, 1));
    expect(answered).toBe(false);
    userWrite.release();
    const { events } = parseSse(await (await pending).text());
    await waitOnExecutionContext(ctx);
    expect(events.map((e) => e.event)).toEqual(['start', 'delta', 'delta', 'delta', 'done']);
  });

  it('writes both turns with the retention TTL', async () => {
    const worker = chatWorker({ model: scriptedModel(['ok']), retentionSeconds: 3600 });
    const sessionId = uniqueId('s');
    await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
    const { keys } = await env.CHAT_KV.list({ prefix: `message:${sessionId}:` });
    expect(keys).toHaveLength(2);
    const nowSeconds = Date.now() / 1000;
    for (const key of keys) {
      expect(key.expiration).toBeGreaterThan(nowSeconds + 3000);
      expect(key.expiration).toBeLessThan(nowSeconds + 4200);
    }
  });
});
