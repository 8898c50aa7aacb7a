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
  it('writes the streaming record at most once per interval, and a reload mid-reply sees the text so far', async () => {
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

    // Held after 6 pieces (2.4 s of model time): a checkpoint has landed; history shows it as streaming.
    let mid: ChatMessage | undefined;
    for (let attempt = 0; attempt < 200 && !mid?.content; attempt++) {
      await new Promise((r) => setTimeout(r, 5));
      const history = (await (await worker.fetch(historyRequest({ sessionId }), env, createExecutionContext())).json()) as HistoryResponseBody;
      mid = history.messages.find((m) => m.id === start.assistantMessage.id);
    }
    expect(mid?.status).toBe('streaming');
    expect(mid?.content.length).toBeGreaterThan(0);
    expect(pieces.slice(0, 6).join('')).toContain(mid?.content ?? 'missing');

    hold.release();
    while (!(await reader.read()).done) {
      // drain
    }
    await waitOnExecutionContext(ctx);
    const writes = spy.putKeys.filter((k) => k === replyKey).length;
    // 12 pieces x 400 ms = 4.8 s of model time: the first write, at most 4 checkpoints, the final write.
    expect(writes).toBeGreaterThanOrEqual(3);
    expect(writes).toBeLessThanOrEqual(6);
    const final = await env.CHAT_KV.get<ChatMessage>(replyKey, 'json');
    expect(final?.content).toBe(pieces.join(''));
    expect(final?.status).toBe('complete');
  });
});
