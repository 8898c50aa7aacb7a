import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, StartEventData, StopResponseBody } from '../../sdk/protocol';
import { messageKey, ModelError } from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { open } from './support/event-reader';
import { uniqueId } from './support/ids';
import { call, chatRequest, historyRequest, kvDump, stopRequest } from './support/requests';
import { gate, scriptedModel } from './support/scripted-model';
import { parseSse } from './support/sse';

async function startHeldReply(steps: Parameters<typeof scriptedModel>[0]) {
  const worker = chatWorker({ model: scriptedModel(steps) });
  const sessionId = uniqueId('s');
  const ctx = createExecutionContext();
  const response = await worker.fetch(chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }), env, ctx);
  const reader = response.body!.getReader();
  const start = parseSse(new TextDecoder().decode((await reader.read()).value)).events[0]?.data as StartEventData;
  const drain = async () => {
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await waitOnExecutionContext(ctx);
    return text;
  };
  return { worker, sessionId, replyId: start.assistantMessage.id, drain };
}

describe('POST /api/chat/stop', () => {
  it('ends the reply aborted with the text the user saw, and the generation cannot overwrite it', async () => {
    const hold = gate();
    const { worker, sessionId, replyId, drain } = await startHeldReply(['Seen ', 'text', hold, ' never shown', ' nor this']);
    const stopped = await call(worker, stopRequest({ sessionId, messageId: replyId, content: 'Seen text' }));
    expect(stopped.response.status).toBe(200);
    const body = JSON.parse(stopped.text) as StopResponseBody;
    expect(body.message).toMatchObject({ id: replyId, status: 'aborted', content: 'Seen text', role: 'assistant' });
    hold.release();
    await drain();
    const stored = await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, replyId), 'json');
    expect(stored).toEqual(body.message);
  });

  it('answers a second stop sent while the first stop\'s record is being written with that same record', async () => {
    const abortedWrite = gate();
    const slowAborted = new Proxy(env.CHAT_KV, {
      get(target, prop, receiver) {
        if (prop !== 'put') {
          const member: unknown = Reflect.get(target, prop, receiver);
          return typeof member === 'function' ? member.bind(target) : member;
        }
        return async (key: string, value: string, options?: KVNamespacePutOptions) => {
          if (/"status":"aborted"/.test(value)) await abortedWrite.wait;
          return target.put(key, value, options);
        };
      },
    });
    const hold = gate();
    const worker = chatWorker({ model: scriptedModel(['Seen ', 'more', hold, ' never']), kv: slowAborted });
    const sessionId = uniqueId('s');
    const sent = await open(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
    const start = (await sent.events.until((event) => event.event === 'start'))?.data as StartEventData;
    await sent.events.until(() => sent.events.text() === 'Seen more');
    const replyId = start.assistantMessage.id;
    // The first stop keeps less than the second claims: the second must not decide anew.
    const first = call(worker, stopRequest({ sessionId, messageId: replyId, content: 'Seen' }));
    await sent.events.rest();
    const second = call(worker, stopRequest({ sessionId, messageId: replyId, content: 'Seen more' }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    abortedWrite.release();
    hold.release();
    const answers = await Promise.all([first, second]);
    const records = answers.map(({ text }) => (JSON.parse(text) as StopResponseBody).message);
    expect(records[0]).toMatchObject({ status: 'aborted', content: 'Seen' });
    expect(records[1]).toEqual(records[0]);
    expect(await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, replyId), 'json')).toEqual(records[0]);
    await sent.settled();
  });

  it('answers 404 message_not_found for a reply that does not exist, and for a user turn', async () => {
    const { worker, sessionId, replyId, drain } = await startHeldReply(['done']);
    await drain();
    const userId = replyId.replace(/_r$/, '');
    const unknown = await call(worker, stopRequest({ sessionId, messageId: 'no-such-message', content: '' }));
    expect(unknown.response.status).toBe(404);
    expect(JSON.parse(unknown.text).error.code).toBe('message_not_found');
    const onUser = await call(worker, stopRequest({ sessionId, messageId: userId, content: '' }));
    expect(onUser.response.status).toBe(404);
  });

  it('answers a reply that already ended error or aborted as it is, and never rewrites it', async () => {
    const failed = await startHeldReply(['Half', { fail: new ModelError('model_error', 'boom') }]);
    await failed.drain();
    const hold = gate();
    const stopped = await startHeldReply(['Some ', hold, 'more']);
    const first = await call(stopped.worker, stopRequest({ sessionId: stopped.sessionId, messageId: stopped.replyId, content: 'Some' }));
    expect(first.response.status).toBe(200);
    hold.release();
    await stopped.drain();
    for (const { worker, sessionId, replyId } of [failed, stopped]) {
      const key = messageKey(sessionId, replyId);
      const before = await env.CHAT_KV.getWithMetadata(key, 'text');
      expect(['error', 'aborted']).toContain((JSON.parse(before.value ?? '{}') as ChatMessage).status);
      const again = await call(worker, stopRequest({ sessionId, messageId: replyId, content: 'Other words' }));
      expect(again.response.status).toBe(200);
      expect((JSON.parse(again.text) as StopResponseBody).message).toEqual(JSON.parse(before.value ?? '{}'));
      expect(await env.CHAT_KV.getWithMetadata(key, 'text')).toEqual(before);
    }
  });

  it('DELETE /history during a reply halts it, so the reply cannot write itself back', async () => {
    const hold = gate();
    const { worker, sessionId, drain } = await startHeldReply(['Some ', hold, 'more']);
    const deleted = await call(worker, historyRequest({ sessionId }, 'DELETE'));
    expect(JSON.parse(deleted.text)).toEqual({ deleted: 2 });
    hold.release();
    await drain();
    expect(await kvDump(`message:${sessionId}:`)).toEqual({});
  });
});
