import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, HistoryResponseBody, StartEventData } from '../../sdk/protocol';
import { createDemoModel, messageKey } from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { uniqueId } from './support/ids';
import { spyKv } from './support/kv-spy';
import { call, chatRequest, followRequest, historyRequest } from './support/requests';
import { gate, scriptedModel } from './support/scripted-model';
import { open } from './support/event-reader';
import { parseSse } from './support/sse';

describe('a client that goes away mid-reply', () => {
  it('still leaves the whole reply in KV, equal to an uninterrupted run of the same prompt', async () => {
    const worker = chatWorker({ model: createDemoModel({ delayMs: 2 }) });
    const prompt = 'Tell me about resumable streams';

    const full = parseSse((await call(worker, chatRequest({ sessionId: uniqueId('s'), message: { id: uniqueId('m'), content: prompt } }))).text);
    const uninterrupted = (full.events.at(-1)?.data as { message: ChatMessage }).message.content;

    const sessionId = uniqueId('s');
    const ctx = createExecutionContext();
    const response = await worker.fetch(chatRequest({ sessionId, message: { id: uniqueId('m'), content: prompt } }), env, ctx);
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const start = parseSse(first).events[0]?.data as StartEventData;
    await reader.cancel();
    await waitOnExecutionContext(ctx);
    // The reply runs on in its object: following it to its end, as another tab would, waits for the final write.
    await call(worker, followRequest(sessionId, start.assistantMessage.id));

    const stored = await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, start.assistantMessage.id), 'json');
    expect(stored?.status).toBe('complete');
    expect(stored?.content).toBe(uninterrupted);
    expect(uninterrupted.split(' ').length).toBeGreaterThanOrEqual(40);
  });
});

describe('checkpoints', () => {
  it('a long reply writes KV twice (its placeholder and its final record), and a reload mid-reply follows the text so far', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const spy = spyKv(env.CHAT_KV);
    const afterStart = gate();
    const hold = gate();
    const pieces = Array.from({ length: 12 }, (_, i) => `w${i} `);
    const model = scriptedModel([afterStart, ...pieces.slice(0, 6), hold, ...pieces.slice(6)], () => {
      clock += 400;
    });
    const worker = chatWorker({ model, kv: spy.kv, now: () => clock });
    const sessionId = uniqueId('s');
    const ctx = createExecutionContext();
    const response = await worker.fetch(chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }), env, ctx);
    const reader = response.body!.getReader();
    const start = parseSse(new TextDecoder().decode((await reader.read()).value)).events[0]?.data as StartEventData;
    const replyKey = messageKey(sessionId, start.assistantMessage.id);
    afterStart.release();

    // Held after 6 pieces (2.4 s of model time, checkpoints due): a follow shows the text so far, history the placeholder.
    let followed = '';
    for (let attempt = 0; attempt < 200 && followed !== pieces.slice(0, 6).join(''); attempt++) {
      await new Promise((r) => setTimeout(r, 5));
      const follower = await open(worker, followRequest(sessionId, start.assistantMessage.id));
      // A follower without Last-Event-ID gets start, then all the text so far as one delta.
      await follower.events.until((event) => event.event === 'delta');
      followed = follower.events.text();
      await follower.events.cancel();
    }
    expect(followed).toBe(pieces.slice(0, 6).join(''));
    const history = (await (await worker.fetch(historyRequest({ sessionId }), env, createExecutionContext())).json()) as HistoryResponseBody;
    expect(history.messages.find((m) => m.id === start.assistantMessage.id)).toMatchObject({ status: 'streaming', content: '' });

    hold.release();
    while (!(await reader.read()).done) {
      // drain
    }
    await waitOnExecutionContext(ctx);
    await call(worker, followRequest(sessionId, start.assistantMessage.id));
    // 12 pieces x 400 ms = 4.8 s of model time: its checkpoints stay in the object; KV gets the placeholder and the end.
    expect(spy.putKeys.filter((k) => k === replyKey)).toHaveLength(2);
    const final = await env.CHAT_KV.get<ChatMessage>(replyKey, 'json');
    expect(final?.content).toBe(pieces.join(''));
    expect(final?.status).toBe('complete');
  });
});
