import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, DoneEventData, ErrorEventData, StartEventData, StopResponseBody } from '../../sdk/protocol';
import { messageKey, type RateLimiter } from '../../worker/index';
import { open } from './support/event-reader';
import { uniqueId } from './support/ids';
import { call, chatRequest, followRequest, historyRequest, kvDump, stopRequest } from './support/requests';
import { gate, scriptedModel } from './support/scripted-model';
import { chatWorker } from './support/chat-worker';
import { parseSse } from './support/sse';

/** The protocol as a client sees it. */
describe('the protocol', () => {
  it('streams start, deltas and done with increasing ids, and persists what done carries', async () => {
    const model = scriptedModel(['One', ' two', ' three']);
    const worker = chatWorker({ model });
    const sessionId = uniqueId('s');
    const { text } = await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
    const { events } = parseSse(text);
    // Pieces the model sends before the user turn is written may leave as one delta, after `start`.
    expect(events.map((event) => event.event).filter((name, i, all) => name !== all[i - 1])).toEqual(['start', 'delta', 'done']);
    expect(events.filter((event) => event.event === 'delta').map((event) => (event.data as { text: string }).text).join('')).toBe('One two three');
    const ids = events.map((event) => Number(event.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    const done = (events.at(-1)?.data as DoneEventData).message;
    expect(done).toMatchObject({ status: 'complete', content: 'One two three' });
    expect(await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, done.id), 'json')).toEqual(done);
  });

  it('replays a repeated turn whose reply is final without calling the model again', async () => {
    const model = scriptedModel(['Only', ' once']);
    const worker = chatWorker({ model });
    const body = { sessionId: uniqueId('s'), message: { id: uniqueId('m'), content: 'Hi' } };
    const first = parseSse((await call(worker, chatRequest(body))).text).events;
    const again = parseSse((await call(worker, chatRequest(body))).text).events;
    expect(model.calls).toHaveLength(1);
    expect(again.map((event) => event.event)).toEqual(['start', 'delta', 'done']);
    expect((again[1]?.data as { text: string }).text).toBe('Only once');
    expect(again.at(-1)?.data).toEqual(first.at(-1)?.data);
  });

  it('answers GET /chat/stream for a final reply with one done, and 404 for an unknown id', async () => {
    const worker = chatWorker({ model: scriptedModel(['Ended']) });
    const sessionId = uniqueId('s');
    const { text } = await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
    const done = parseSse(text).events.at(-1)?.data as DoneEventData;
    const followed = await call(worker, followRequest(sessionId, done.message.id));
    expect(followed.response.status).toBe(200);
    expect(parseSse(followed.text).events.map((event) => [event.event, event.data])).toEqual([['done', done]]);
    const unknown = await call(worker, followRequest(sessionId, 'no-such-reply_r'));
    expect(unknown.response.status).toBe(404);
    expect(JSON.parse(unknown.text).error.code).toBe('not_found');
  });

  it('answers GET /chat/stream for a streaming reply live', async () => {
    const hold = gate();
    const worker = chatWorker({ model: scriptedModel(['Before ', hold, 'after']) });
    const sessionId = uniqueId('s');
    const sent = await open(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
    const start = (await sent.events.until((event) => event.event === 'start'))?.data as StartEventData;
    await sent.events.until((event) => event.event === 'delta');
    const followed = await open(worker, followRequest(sessionId, start.assistantMessage.id));
    expect(followed.response.status).toBe(200);
    await followed.events.until((event) => event.event === 'delta');
    hold.release();
    const events = await followed.events.rest();
    expect(events.map((event) => event.event)).toEqual(['start', 'delta', 'delta', 'done']);
    expect(followed.events.text()).toBe('Before after');
    await sent.events.rest();
    await sent.settled();
  });

  it('keeps of a stop only what the model produced: a forged or oversized content is never stored', async () => {
    const hold = gate();
    const worker = chatWorker({ model: scriptedModel(['Real ', 'words', hold, ' later']) });
    const sessionId = uniqueId('s');
    const sent = await open(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
    const start = (await sent.events.until((event) => event.event === 'start'))?.data as StartEventData;
    await sent.events.until(() => sent.events.text() === 'Real words');
    const forged = `Real words${' and forged ones'.repeat(8_000)}`;
    const stopped = await call(worker, stopRequest({ sessionId, messageId: start.assistantMessage.id, content: forged }));
    expect(stopped.response.status).toBe(200);
    const { message } = JSON.parse(stopped.text) as StopResponseBody;
    expect(message).toMatchObject({ status: 'aborted', content: 'Real words' });
    hold.release();
    await sent.events.rest();
    await sent.settled();
    const stored = await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, start.assistantMessage.id), 'json');
    expect(stored?.content).toBe('Real words');

    const other = await open(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Again' } }));
    const otherStart = (await other.events.until((event) => event.event === 'start'))?.data as StartEventData;
    await other.events.rest();
    await other.settled();
    expect(otherStart.userMessage.content).toBe('Again');
  });

  it('keeps the prefix the client saw when it stops mid-reply', async () => {
    const hold = gate();
    const worker = chatWorker({ model: scriptedModel(['Seen ', 'text', hold, ' unseen']) });
    const sessionId = uniqueId('s');
    const sent = await open(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
    const start = (await sent.events.until((event) => event.event === 'start'))?.data as StartEventData;
    await sent.events.until(() => sent.events.text() === 'Seen text');
    const stopped = await call(worker, stopRequest({ sessionId, messageId: start.assistantMessage.id, content: 'Seen' }));
    expect((JSON.parse(stopped.text) as StopResponseBody).message).toMatchObject({ status: 'aborted', content: 'Seen' });
    hold.release();
    const events = await sent.events.rest();
    await sent.settled();
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { message: { status: 'aborted', content: 'Seen' } } });
  });

  it('puts stop and delete through the same rate limiter as chat', async () => {
    const counted: string[] = [];
    let allow = true;
    const rateLimiter: RateLimiter = {
      async limit({ key }) {
        counted.push(key);
        return { success: allow };
      },
    };
    const worker = chatWorker({ model: scriptedModel(['Done']), rateLimiter });
    const sessionId = uniqueId('s');
    const { text } = await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
    const replyId = (parseSse(text).events.at(-1)?.data as DoneEventData).message.id;
    allow = false;
    const stop = await call(worker, stopRequest({ sessionId, messageId: replyId, content: '' }));
    expect(stop.response.status).toBe(429);
    expect(JSON.parse(stop.text).error.code).toBe('rate_limited');
    const deleted = await call(worker, historyRequest({ sessionId }, 'DELETE'));
    expect(deleted.response.status).toBe(429);
    expect(counted).toEqual([sessionId, sessionId, sessionId]);
    expect(Object.keys(await kvDump(`message:${sessionId}:`))).toHaveLength(2);
  });

  it('ends a stream cut short by DELETE /history with error conversation_deleted, and writes nothing after', async () => {
    const hold = gate();
    const worker = chatWorker({ model: scriptedModel(['Some ', hold, 'more']) });
    const sessionId = uniqueId('s');
    const sent = await open(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
    await sent.events.until((event) => event.event === 'delta');
    const deleted = await call(worker, historyRequest({ sessionId }, 'DELETE'));
    expect(JSON.parse(deleted.text)).toEqual({ deleted: 2 });
    hold.release();
    const events = await sent.events.rest();
    await sent.settled();
    const last = events.at(-1);
    expect(last?.event).toBe('error');
    expect((last?.data as ErrorEventData).error.code).toBe('conversation_deleted');
    expect(events.filter((event) => event.event === 'done' || event.event === 'error')).toHaveLength(1);
    expect(await kvDump(`message:${sessionId}:`)).toEqual({});
  });
});
