import { abortAllDurableObjects, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, DoneEventData, ErrorEventData, StartEventData } from '../../sdk/protocol';
import { createChatWorker, messageKey, type ChatDurableObjectNamespace } from '../../worker/index';
import { open } from './support/event-reader';
import { uniqueId } from './support/ids';
import { call, chatRequest, followRequest, stopRequest } from './support/requests';
import { gate, scriptedModel } from './support/scripted-model';
import { useConversationOptions } from './support/conversation-options';
import { chatWorker } from './support/chat-worker';
import { parseSse } from './support/sse';

const PIECES = ['Alpha', ' beta', ' gamma'];

/**
 * The test binding, with every event stream its objects answer cut once `keepEvents` events went through: the body
 * ends (`close`) or fails (`error`) where it is, as the runtime leaves the response of an object that is reset,
 * evicted or replaced by a code update. The object itself is the real one.
 */
function cuttingNamespace(keepEvents: number, how: 'close' | 'error'): ChatDurableObjectNamespace {
  const real = env.TEST_CONVERSATIONS;
  return {
    idFromName: (name) => real.idFromName(name),
    get: (id) => ({
      async fetch(input, init) {
        const answer = await real.get(id as DurableObjectId).fetch(input, init);
        if (answer.body === null || !answer.headers.get('content-type')?.startsWith('text/event-stream')) return answer;
        return new Response(cutAfter(answer.body, keepEvents, how), answer);
      },
    }),
  };
}

function cutAfter(body: ReadableStream<Uint8Array>, keepEvents: number, how: 'close' | 'error'): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let passed = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (passed >= keepEvents) {
        await reader.cancel();
        if (how === 'close') controller.close();
        else controller.error(new Error('Durable Object reset'));
        return;
      }
      const { done, value } = await reader.read();
      if (done) return controller.close();
      passed += decoder.decode(value).match(/^event: /gm)?.length ?? 0;
      controller.enqueue(value);
    },
  });
}

/**
 * The test binding, with every event stream its objects answer ended just before its final event: the object wrote
 * the reply's final record, and its restart took the `done` frame with it.
 */
function namespaceLosingTheLastEvent(): ChatDurableObjectNamespace {
  const real = env.TEST_CONVERSATIONS;
  return {
    idFromName: (name) => real.idFromName(name),
    get: (id) => ({
      async fetch(input, init) {
        const answer = await real.get(id as DurableObjectId).fetch(input, init);
        if (answer.body === null || !answer.headers.get('content-type')?.startsWith('text/event-stream')) return answer;
        const decoder = new TextDecoder();
        const encoder = new TextEncoder();
        let text = '';
        let passed = 0;
        const kept = answer.body.pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              text += decoder.decode(chunk, { stream: true });
              const final = text.search(/^id: \d+\nevent: (done|error)$/m);
              // Whole frames only, up to the final one.
              const upTo = final >= 0 ? final : text.lastIndexOf('\n\n') + 2;
              if (upTo > passed) controller.enqueue(encoder.encode(text.slice(passed, upTo)));
              passed = Math.max(passed, upTo);
              if (final >= 0) controller.terminate();
            },
          }),
        );
        return new Response(kept, answer);
      },
    }),
  };
}

/** A reply held after its pieces until `end`, behind a binding that cuts its streams after `keepEvents` events. */
async function cutReply(keepEvents: number, how: 'close' | 'error') {
  const end = gate();
  const model = scriptedModel([...PIECES, end]);
  useConversationOptions({ model });
  const logged: unknown[] = [];
  const worker = createChatWorker({ model, conversations: cuttingNamespace(keepEvents, how), log: (error) => logged.push(error) });
  const sessionId = uniqueId('s');
  const userId = uniqueId('m');
  const sent = await open(worker, chatRequest({ sessionId, message: { id: userId, content: 'Hi' } }));
  return { worker, sessionId, sent, end, logged };
}

describe('a stream the conversation object stops feeding', () => {
  for (const how of ['close', 'error'] as const) {
    it(`ends with error / interrupted, the last checkpoint and the next event id when the body ${how === 'close' ? 'ends' : 'fails'}`, async () => {
      const { sessionId, sent, end, logged } = await cutReply(1 + PIECES.length, how);
      const events = await sent.events.rest();
      end.release();
      const start = events[0]?.data as StartEventData;
      const replyId = start.assistantMessage.id;
      expect(events.map((event) => event.event)).toEqual(['start', 'delta', 'delta', 'delta', 'error']);
      expect(events.map((event) => Number(event.id))).toEqual([1, 2, 3, 4, 5]);
      const last = events.at(-1)?.data as ErrorEventData;
      expect(last.error.code).toBe('interrupted');
      // The record as the object holds it (here the live reply, its text so far), presented as interrupted.
      expect(last.message).toMatchObject({
        id: replyId,
        sessionId,
        role: 'assistant',
        content: PIECES.join(''),
        status: 'error',
        error: { code: 'interrupted', message: 'The reply stopped before it was complete' },
      });
      expect(logged.map(String)).toEqual(how === 'error' ? ['Error: Durable Object reset'] : []);
      await sent.settled();
    });
  }

  it('ends a resumed stream with the event id after its Last-Event-ID when nothing came through', async () => {
    const { sessionId, sent, end } = await cutReply(Number.POSITIVE_INFINITY, 'close');
    const start = (await sent.events.until((event) => event.event === 'start'))?.data as StartEventData;
    await sent.events.until(() => sent.events.text() === PIECES.join(''));
    const replyId = start.assistantMessage.id;
    // The same reply followed behind a binding that cuts at once: the catch-up never arrives.
    const cutAtOnce = createChatWorker({ model: scriptedModel([]), conversations: cuttingNamespace(0, 'error'), log: () => {} });
    const follower = await open(cutAtOnce, followRequest(sessionId, replyId, '3'));
    const events = await follower.events.rest();
    expect(events.map((event) => [event.id, event.event])).toEqual([['4', 'error']]);
    expect((events[0]?.data as ErrorEventData).message).toMatchObject({ id: replyId, status: 'error' });
    end.release();
    expect((await sent.events.rest()).at(-1)?.event).toBe('done');
    await sent.settled();
  });

  it('in the test pool, a stream survives abortAllDurableObjects and still ends with its final event', async () => {
    // The pool runs every object in the tests' own isolate: an abort gives the next request a new instance, but the
    // old one's reply goes on running and feeding the streams it had. So a restart is shown above by cutting the
    // body, and here by what the pool does: the open stream gets the rest of the reply and `done`.
    const end = gate();
    const model = scriptedModel([...PIECES, end, ' delta']);
    // The old instance's bookkeeping in its own storage fails after the abort: logged, not thrown.
    const worker = chatWorker({ model, log: () => {} });
    const sent = await open(worker, chatRequest({ sessionId: uniqueId('s'), message: { id: uniqueId('m'), content: 'Hi' } }));
    await sent.events.until(() => sent.events.text() === PIECES.join(''));
    await abortAllDurableObjects();
    end.release();
    const events = await sent.events.rest();
    expect(sent.events.text()).toBe(`${PIECES.join('')} delta`);
    expect(events.at(-1)?.event).toBe('done');
    await sent.settled();
  });
});

describe('an object restarted mid-reply', () => {
  it("reports the reply interrupted at once, with the text of its last checkpoint in the object's storage", async () => {
    const go = gate();
    const hold = gate();
    // Each piece moves the clock 600 ms: ' beta' falls due for a checkpoint (1 s after start), ' gamma' does not.
    let clock = Date.UTC(2026, 3, 1);
    const model = scriptedModel([go, 'Alpha', ' beta', ' gamma', hold, ' never'], () => (clock += 600));
    // The pool keeps the aborted instance running beside the new one: its bookkeeping fails, logged, not thrown.
    const worker = chatWorker({ model, now: () => clock, log: () => {} });
    const sessionId = uniqueId('s');
    const sent = await open(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
    const replyId = ((await sent.events.until((event) => event.event === 'start'))?.data as StartEventData).assistantMessage.id;
    go.release();
    await sent.events.until(() => sent.events.text() === 'Alpha beta gamma');
    const stub = env.TEST_CONVERSATIONS.get(env.TEST_CONVERSATIONS.idFromName(sessionId));
    const checkpoint = async () =>
      runInDurableObject(stub, (_instance, state) => state.storage.get<ChatMessage>(`running:${replyId}`));
    for (let tries = 0; (await checkpoint())?.content !== 'Alpha beta'; tries++) {
      if (tries > 100) throw new Error('The checkpoint never reached the object storage');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // KV holds only the empty placeholder: the text a restart can keep is the object's.
    expect(await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, replyId), 'json')).toMatchObject({ status: 'streaming', content: '' });

    await abortAllDurableObjects();
    const followed = parseSse((await call(worker, followRequest(sessionId, replyId))).text).events;
    expect(followed.map((event) => event.event)).toEqual(['error']);
    const reported = (followed[0]?.data as ErrorEventData).message;
    expect(reported).toMatchObject({ id: replyId, status: 'error', error: { code: 'interrupted' }, content: 'Alpha beta' });
    expect(await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, replyId), 'json')).toEqual(reported);

    hold.release();
    await sent.events.rest();
    await sent.settled();
  });
});

describe('a stream cut after its reply was final', () => {
  it.each(['complete', 'aborted'] as const)('ends with the %s record as done, not as interrupted', async (status) => {
    const end = gate();
    const model = scriptedModel([...PIECES, end, ' delta']);
    const worker = createChatWorker({ model, conversations: namespaceLosingTheLastEvent(), log: () => {} });
    useConversationOptions({ model });
    const sessionId = uniqueId('s');
    const sent = await open(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
    const replyId = ((await sent.events.until((event) => event.event === 'start'))?.data as StartEventData).assistantMessage.id;
    await sent.events.until(() => sent.events.text() === PIECES.join(''));
    if (status === 'aborted') await call(worker, stopRequest({ sessionId, messageId: replyId, content: PIECES.join('') }));
    end.release();
    const events = await sent.events.rest();
    await sent.settled();
    const stored = await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, replyId), 'json');
    expect(stored).toMatchObject({ status });
    const last = events.at(-1);
    expect(last?.event).toBe('done');
    expect(Number(last?.id)).toBe(Number(events.at(-2)?.id) + 1);
    expect((last?.data as DoneEventData).message).toEqual(stored);
  });
});
