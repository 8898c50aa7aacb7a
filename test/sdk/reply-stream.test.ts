/**
 * The reply stream as a pure fold of protocol events, on the Worker's golden `.sse` files (test/worker/fixtures)
 * and on resume streams shaped as the protocol's `GET /chat/stream` (test/sdk/fixtures).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EventSourceMessage } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../sdk/protocol';
import { applyEvent, applyEvents, isSettled, resumingReply, sendingReply, shownReply, type ReplyState } from '../../sdk/reply-stream';
import { readSSE } from '../../sdk/sse-reader';

const WORKER_FIXTURES = resolve(import.meta.dirname, '../worker/fixtures');
const SDK_FIXTURES = resolve(import.meta.dirname, 'fixtures');
const SESSION = 'golden-session-0001';
const USER_ID = 'golden-message-0001';
const REPLY_ID = 'golden-message-0001_r';

/** The events of a fixture, read through the SDK's own reader, cut into chunks of `chunkBytes`. */
async function eventsOf(path: string, chunkBytes = 7): Promise<EventSourceMessage[]> {
  const bytes = readFileSync(path);
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, (offset += chunkBytes)));
    },
  });
  const events: EventSourceMessage[] = [];
  await readSSE(body, (event) => events.push(event));
  return events;
}

const fold = (state: ReplyState, events: readonly EventSourceMessage[]) => events.reduce(applyEvent, state);

/** The reply as the cache holds it at a checkpoint: streaming, with the text through some event. */
const cachedReply = (content: string): ChatMessage => ({
  id: REPLY_ID,
  sessionId: SESSION,
  role: 'assistant',
  content,
  timestamp: '2026-01-02T03:04:05.601Z',
  status: 'streaming',
  replyTo: USER_ID,
});

describe('applyEvent on the Worker’s golden streams', () => {
  it('chat-exchange.sse folds to the final record, whatever the chunk size', async () => {
    for (const chunkBytes of [1, 7, 64, 100_000]) {
      const state = fold(sendingReply(SESSION, USER_ID), await eventsOf(`${WORKER_FIXTURES}/chat-exchange.sse`, chunkBytes));
      expect(state.broken).toBeUndefined();
      expect(state.user?.id).toBe(USER_ID);
      expect(state.final).toMatchObject({ id: REPLY_ID, status: 'complete', content: 'Hello, world!' });
      expect(state.lastEventId).toBe('5');
      expect(isSettled(state)).toBe(true);
    }
  });

  it('the text grows delta by delta, and each state names the last event it includes', async () => {
    const events = await eventsOf(`${WORKER_FIXTURES}/chat-exchange.sse`);
    const states = events.reduce<ReplyState[]>((all, event) => [...all, applyEvent(all[all.length - 1]!, event)], [sendingReply(SESSION, USER_ID)]);
    expect(states.map((s) => [s.lastEventId, shownReply(s)?.content, shownReply(s)?.status])).toEqual([
      [undefined, undefined, undefined],
      ['1', '', 'streaming'],
      ['2', 'Hello', 'streaming'],
      ['3', 'Hello, world', 'streaming'],
      ['4', 'Hello, world!', 'streaming'],
      ['5', 'Hello, world!', 'complete'],
    ]);
  });

  it('chat-replay.sse (a repeat of a final turn) and chat-model-error.sse fold to their final records', async () => {
    const replay = fold(sendingReply(SESSION, USER_ID), await eventsOf(`${WORKER_FIXTURES}/chat-replay.sse`));
    expect(replay.final).toMatchObject({ status: 'complete', content: 'Hello, world!' });
    const failed = fold(sendingReply('golden-session-0002', 'golden-message-0002'), await eventsOf(`${WORKER_FIXTURES}/chat-model-error.sse`));
    expect(failed.final).toMatchObject({ status: 'error', content: 'Partial' });
    expect(failed.failure?.code).toBe('model_error');
  });

  it('ignores every event after the final one: a late delta never reopens the reply', async () => {
    const events = await eventsOf(`${WORKER_FIXTURES}/chat-exchange.sse`);
    const done = fold(sendingReply(SESSION, USER_ID), events);
    const late = applyEvent(done, { id: '6', event: 'delta', data: JSON.stringify({ id: REPLY_ID, text: ' again' }) });
    expect(late).toBe(done);
    expect(shownReply(late)?.status).toBe('complete');
  });

  it('breaks on a start for another turn, a delta of another reply, or a final record of another session', async () => {
    const [start, delta, , , done] = await eventsOf(`${WORKER_FIXTURES}/chat-exchange.sse`);
    expect(applyEvent(sendingReply(SESSION, 'another-turn-01'), start!).broken).toBeDefined();
    const started = applyEvent(sendingReply(SESSION, USER_ID), start!);
    expect(applyEvent(started, { ...delta!, data: delta!.data.replace(REPLY_ID, 'another-reply') }).broken).toBeDefined();
    expect(applyEvent(started, { ...done!, data: done!.data.replaceAll(SESSION, 'another-session') }).broken).toBeDefined();
    expect(applyEvent(sendingReply(SESSION, USER_ID), delta!).broken).toBeDefined();
  });
});

describe('applyEvent on resume streams (GET /chat/stream)', () => {
  it('resumed after each event boundary, the text equals the uninterrupted text: nothing missing, nothing twice', async () => {
    const events = await eventsOf(`${WORKER_FIXTURES}/chat-exchange.sse`);
    const whole = fold(sendingReply(SESSION, USER_ID), events);
    // After event n the cache holds the text through n; the Worker sends one delta with the text after n.
    for (let n = 1; n < events.length; n++) {
      const before = fold(sendingReply(SESSION, USER_ID), events.slice(0, n));
      const rest = whole.final!.content.slice(before.text.length);
      const resumed = fold(resumingReply(SESSION, USER_ID, cachedReply(before.text), before.lastEventId), [
        ...(rest ? [{ id: '4', event: 'delta', data: JSON.stringify({ id: REPLY_ID, text: rest }) }] : []),
        events[events.length - 1]!,
      ]);
      expect(resumed.text).toBe(whole.final!.content);
      expect(resumed.final).toEqual(whole.final);
    }
  });

  it('resume-after-event-2.sse continues the cached text of event 2', async () => {
    const state = fold(resumingReply(SESSION, USER_ID, cachedReply('Hello'), '2'), await eventsOf(`${SDK_FIXTURES}/resume-after-event-2.sse`));
    const partial = fold(resumingReply(SESSION, USER_ID, cachedReply('Hello'), '2'), (await eventsOf(`${SDK_FIXTURES}/resume-after-event-2.sse`)).slice(0, 1));
    expect(shownReply(partial)).toMatchObject({ content: 'Hello, world', status: 'streaming' });
    expect(partial.lastEventId).toBe('3');
    expect(state.final).toMatchObject({ content: 'Hello, world!', status: 'complete' });
  });

  it('resume-from-start.sse (no Last-Event-ID): start, then the whole text so far, then live', async () => {
    const events = await eventsOf(`${SDK_FIXTURES}/resume-from-start.sse`);
    const caughtUp = fold(resumingReply(SESSION, USER_ID, cachedReply('Hel')), events.slice(0, 2));
    expect(shownReply(caughtUp)).toMatchObject({ content: 'Hello, world', status: 'streaming' });
    expect(caughtUp.lastEventId).toBe('3');
    expect(fold(caughtUp, events.slice(2)).final?.content).toBe('Hello, world!');
  });

  it('resume-final.sse: a reply already final answers one done', async () => {
    const state = fold(resumingReply(SESSION, USER_ID, cachedReply('Hello, world'), '4'), await eventsOf(`${SDK_FIXTURES}/resume-final.sse`));
    expect(state.final).toMatchObject({ status: 'complete', content: 'Hello, world!' });
  });

  it('resume-deleted.sse: the conversation deleted elsewhere settles the stream with conversation_deleted', async () => {
    const state = fold(resumingReply(SESSION, USER_ID, cachedReply('Hello'), '2'), await eventsOf(`${SDK_FIXTURES}/resume-deleted.sse`));
    expect(state.failure?.code).toBe('conversation_deleted');
    expect(state.final).toBeUndefined();
    expect(isSettled(state)).toBe(true);
  });
});

describe('applyEvents: one network read folded at once', () => {
  const goldenStreams = [
    [`${WORKER_FIXTURES}/chat-exchange.sse`, () => sendingReply(SESSION, USER_ID)],
    [`${WORKER_FIXTURES}/chat-model-error.sse`, () => sendingReply(SESSION, USER_ID)],
    [`${WORKER_FIXTURES}/chat-replay.sse`, () => sendingReply(SESSION, USER_ID)],
    [`${SDK_FIXTURES}/resume-from-start.sse`, () => sendingReply(SESSION, USER_ID)],
  ] as const;

  it('folds any cut of a stream into batches to the same states as event by event', async () => {
    for (const [path, initial] of goldenStreams) {
      const events = await eventsOf(path);
      const oneByOne = fold(initial(), events);
      for (let cut = 0; cut <= events.length; cut++) {
        const first = applyEvents(initial(), events.slice(0, cut));
        expect(first, `${path} through event ${cut}`).toEqual(fold(initial(), events.slice(0, cut)));
        expect(applyEvents(first, events.slice(cut)), `${path} cut at ${cut}`).toEqual(oneByOne);
      }
    }
  });

  it('never changes the state it is given, and gives it back when the batch changes nothing', async () => {
    const events = await eventsOf(`${WORKER_FIXTURES}/chat-exchange.sse`);
    const started = Object.freeze(applyEvents(sendingReply(SESSION, USER_ID), events.slice(0, 1)));
    // Frozen: a write to it would throw here, in strict mode.
    const grown = applyEvents(started, events.slice(1, 4));
    expect(grown).not.toBe(started);
    expect(started.text).toBe('');
    expect(grown.text.length).toBeGreaterThan(0);
    expect(applyEvents(started, [])).toBe(started);
    expect(applyEvents(started, [{ event: 'newer-protocol-event', data: '{}' }])).toBe(started);
    const done = fold(sendingReply(SESSION, USER_ID), events);
    expect(applyEvents(done, events.slice(1, 3))).toBe(done);
  });

  it('stops at a breaking event: the events before it stand, nothing of it or after it is taken', async () => {
    const events = await eventsOf(`${WORKER_FIXTURES}/chat-exchange.sse`);
    const foreign = { ...events[1]!, data: events[1]!.data.replace(REPLY_ID, 'another-reply-0001') };
    const state = applyEvents(sendingReply(SESSION, USER_ID), [events[0]!, events[1]!, foreign, events[2]!]);
    expect(state.broken).toBe('foreign delta');
    expect(state.text).toBe(fold(sendingReply(SESSION, USER_ID), events.slice(0, 2)).text);
    expect(state.lastEventId).toBe(events[1]!.id);
  });
});
