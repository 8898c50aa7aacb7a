import { abortAllDurableObjects } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, DoneEventData, ErrorEventData, StartEventData, StopResponseBody } from '../../sdk/protocol';
import { messageKey, type ModelProvider } from '../../worker/index';
import { open } from './support/event-reader';
import { uniqueId } from './support/ids';
import { spyKv } from './support/kv-spy';
import { call, chatRequest, followRequest, historyRequest, stopRequest } from './support/requests';
import { gate, scriptedModel } from './support/scripted-model';
import { chatWorker } from './support/chat-worker';
import { parseSse, type ParsedEvent } from './support/sse';

const PIECES = ['Alpha', ' beta', ' gamma', ' delta', ' epsilon', ' zeta'];

function deltaText(events: readonly ParsedEvent[]): string {
  return events
    .filter((event) => event.event === 'delta')
    .map((event) => (event.data as { text: string }).text)
    .join('');
}

/** A reply held after `start` until `go`, then PIECES one event each, then held at `end` until released. */
async function heldReply() {
  const go = gate();
  const end = gate();
  const model = scriptedModel([go, ...PIECES, end, ' eta']);
  const worker = chatWorker({ model });
  const sessionId = uniqueId('s');
  const sent = await open(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
  const start = (await sent.events.until((event) => event.event === 'start'))?.data as StartEventData;
  go.release();
  await sent.events.until(() => sent.events.text() === PIECES.join(''));
  return { worker, model, sessionId, sent, replyId: start.assistantMessage.id, end };
}

describe('the conversation object', () => {
  it('runs the model once for one turn sent four times at once; every copy follows the same reply', async () => {
    const go = gate();
    const model = scriptedModel([go, 'Shared', ' reply']);
    const worker = chatWorker({ model });
    const body = { sessionId: uniqueId('s'), message: { id: uniqueId('m'), content: 'Hi' } };
    const copies = await Promise.all([1, 2, 3, 4].map(() => open(worker, chatRequest(body))));
    expect(copies.map((copy) => copy.response.status)).toEqual([200, 200, 200, 200]);
    await Promise.all(copies.map((copy) => copy.events.until((event) => event.event === 'start')));
    go.release();
    const streams = await Promise.all(copies.map((copy) => copy.events.rest()));
    expect(model.calls).toHaveLength(1);
    for (const events of streams) {
      expect(deltaText(events)).toBe('Shared reply');
      expect(events.at(-1)?.event).toBe('done');
    }
    const finals = streams.map((events) => (events.at(-1)?.data as DoneEventData).message);
    expect(new Set(finals.map((message) => JSON.stringify(message))).size).toBe(1);
  });

  it('resumes at every event boundary with exactly the text after it, under one sequence of event ids', async () => {
    const { worker, sessionId, sent, replyId, end } = await heldReply();
    const seen = [...sent.events.events];
    const boundaries = seen.map((event) => event.id ?? '');
    const followers = await Promise.all(boundaries.map((id) => open(worker, followRequest(sessionId, replyId, id))));
    // Resumed streams get their catch-up before the reply moves on.
    await Promise.all(
      followers.map((follower, index) =>
        index === boundaries.length - 1 ? undefined : follower.events.until((event) => event.event === 'delta'),
      ),
    );
    end.release();
    const full = deltaText(await sent.events.rest());
    expect(full).toBe(`${PIECES.join('')} eta`);
    const lastId = Number(sent.events.events.at(-1)?.id);
    for (const [index, follower] of followers.entries()) {
      const events = await follower.events.rest();
      expect(deltaText(seen.slice(0, index + 1)) + deltaText(events)).toBe(full);
      expect(events.map((event) => event.event)).not.toContain('start');
      expect(Number(events.at(-1)?.id)).toBe(lastId);
      const ids = events.map((event) => Number(event.id));
      expect(ids.every((id, i) => i === 0 || id > (ids[i - 1] ?? 0))).toBe(true);
      expect(ids[0]).toBeGreaterThan(Number(boundaries[index]));
    }
    await sent.settled();
  });

  it('sends start and all the text so far to a follower without Last-Event-ID, then the rest live', async () => {
    const { worker, sessionId, sent, replyId, end } = await heldReply();
    const follower = await open(worker, followRequest(sessionId, replyId));
    const caughtUp = await follower.events.until((event) => event.event === 'delta');
    expect(follower.events.events[0]?.event).toBe('start');
    expect((caughtUp?.data as { text: string }).text).toBe(PIECES.join(''));
    end.release();
    const events = await follower.events.rest();
    expect(deltaText(events)).toBe(deltaText(await sent.events.rest()));
    expect(events.at(-1)).toEqual(sent.events.events.at(-1));
  });

  it('ends three followers and the sender with the aborted record at once, and keeps what the stopper saw', async () => {
    const { worker, model, sessionId, sent, replyId } = await heldReply();
    const followers = await Promise.all([1, 2, 3].map(() => open(worker, followRequest(sessionId, replyId))));
    await Promise.all(followers.map((follower) => follower.events.until((event) => event.event === 'delta')));
    const stopped = await call(worker, stopRequest({ sessionId, messageId: replyId, content: 'Alpha beta' }));
    const { message } = JSON.parse(stopped.text) as StopResponseBody;
    expect(message).toMatchObject({ status: 'aborted', content: 'Alpha beta' });
    // The model is still held: every stream ended because of the stop, not because the reply ran out.
    for (const stream of [sent, ...followers]) {
      const events = await stream.events.rest();
      expect(events.at(-1)).toMatchObject({ event: 'done', data: { message } });
      expect(deltaText(events)).toBe(PIECES.join(''));
    }
    expect(model.yielded).toBe(PIECES.length);
    await sent.settled();
    expect(await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, replyId), 'json')).toEqual(message);
  });

  it('ends every follower with conversation_deleted on DELETE /history, and nothing comes back', async () => {
    const { worker, sessionId, sent, replyId, end } = await heldReply();
    const follower = await open(worker, followRequest(sessionId, replyId));
    await follower.events.until((event) => event.event === 'delta');
    const deleted = await call(worker, historyRequest({ sessionId }, 'DELETE'));
    expect(JSON.parse(deleted.text)).toEqual({ deleted: 2 });
    end.release();
    for (const stream of [sent, follower]) {
      const last = (await stream.events.rest()).at(-1);
      expect((last?.data as ErrorEventData).error.code).toBe('conversation_deleted');
    }
    await sent.settled();
    const history = await call(worker, historyRequest({ sessionId }));
    expect(JSON.parse(history.text)).toMatchObject({ messages: [], ids: [] });
  });

  it('reports a reply cut by a restart of the object as interrupted on the next request', async () => {
    const { worker, sessionId, replyId } = await heldReply();
    await abortAllDurableObjects();
    const followed = await call(worker, followRequest(sessionId, replyId));
    const events = parseSse(followed.text).events;
    expect(events.map((event) => event.event)).toEqual(['error']);
    expect((events[0]?.data as ErrorEventData).error.code).toBe('interrupted');
    const stored = await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, replyId), 'json');
    expect(stored).toMatchObject({ status: 'error', error: { code: 'interrupted' } });
  });

  it('runs the model again for a retry of a turn whose reply a restart cut off, and only then', async () => {
    const end = gate();
    const model = scriptedModel([...PIECES, end, ' eta']);
    // The pool keeps the aborted instance running beside the new one: its bookkeeping fails, logged, not thrown.
    const worker = chatWorker({ model, log: () => {} });
    const sessionId = uniqueId('s');
    const turnId = uniqueId('m');
    const sent = await open(worker, chatRequest({ sessionId, message: { id: turnId, content: 'Hi' } }));
    const first = (await sent.events.until((event) => event.event === 'start'))?.data as StartEventData;
    const replyId = first.assistantMessage.id;
    await sent.events.until(() => sent.events.text() === PIECES.join(''));
    await abortAllDurableObjects();
    const again = await open(worker, chatRequest({ sessionId, message: { id: turnId, content: 'Hi' } }));
    const start = (await again.events.until((event) => event.event === 'start'))?.data as StartEventData;
    expect(start.assistantMessage).toMatchObject({ id: replyId, status: 'streaming', content: '' });
    end.release();
    const events = await again.events.rest();
    await again.settled();
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { message: { status: 'complete', content: `${PIECES.join('')} eta` } } });
    expect(model.calls).toHaveLength(2);
    // Complete now: a further retry replays it.
    const replay = parseSse((await call(worker, chatRequest({ sessionId, message: { id: turnId, content: 'Hi' } }))).text).events;
    expect(replay.map((event) => event.event)).toEqual(['start', 'delta', 'done']);
    expect(model.calls).toHaveLength(2);
    await sent.events.rest();
    await sent.settled();
  });

  it('answers a follow of a final reply it no longer holds under the id after Last-Event-ID', async () => {
    const sessionId = uniqueId('s');
    const userId = uniqueId('m');
    const at = new Date().toISOString();
    const reply: ChatMessage = { id: `${userId}_r`, sessionId, role: 'assistant', content: 'Done long ago', timestamp: at, updatedAt: at, status: 'complete', replyTo: userId };
    await env.CHAT_KV.put(messageKey(sessionId, reply.id), JSON.stringify(reply));
    const worker = chatWorker({ model: scriptedModel(['unused']) });
    const followed = await call(worker, followRequest(sessionId, reply.id, '7'));
    const events = parseSse(followed.text).events;
    expect(events.map((event) => [event.id, event.event])).toEqual([['8', 'done']]);
    expect((events[0]?.data as DoneEventData).message).toEqual(reply);
  });

  it('runs a reply to its end after the sender went away', async () => {
    const { worker, sessionId, sent, replyId, end } = await heldReply();
    await sent.events.cancel();
    end.release();
    await sent.settled();
    const followed = await call(worker, followRequest(sessionId, replyId));
    expect(parseSse(followed.text).events.at(-1)).toMatchObject({
      event: 'done',
      data: { message: { status: 'complete', content: `${PIECES.join('')} eta` } },
    });
  });

  it('starts the model of a warm conversation with no KV read, and with the context it wrote', async () => {
    const spy = spyKv(env.CHAT_KV);
    const readsAtModelStart: number[] = [];
    const contexts: string[][] = [];
    const model: ModelProvider = {
      name: 'counting',
      async *stream({ messages }) {
        readsAtModelStart.push(spy.counts.get + spy.counts.list);
        contexts.push(messages.map((message) => message.content));
        yield `Answer ${contexts.length}`;
      },
    };
    const worker = chatWorker({ model, kv: spy.kv });
    const sessionId = uniqueId('s');
    await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'First' } }));
    spy.reset();
    await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Second' } }));
    expect(readsAtModelStart).toEqual([expect.any(Number), 0]);
    expect(contexts[1]).toEqual(['First', 'Answer 1', 'Second']);
  });
});
