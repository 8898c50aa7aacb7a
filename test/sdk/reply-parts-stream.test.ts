/**
 * The reply fold on replies with parts: the Worker's golden `.sse` files of a reasoning + tool + text reply and of
 * its resumes (test/worker/fixtures/parts-*.sse, made by test/worker/parts-golden.test.ts), split at every byte and
 * cut at every event, and with each part event made malformed in turn.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EventSourceMessage } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatPart } from '../../sdk/protocol';
import { applyEvent, applyEvents, resumingReply, sendingReply, shownReply, type ReplyEvent, type ReplyState } from '../../sdk/reply-stream';
import { readSSE } from '../../sdk/sse-reader';

const FIXTURES = resolve(import.meta.dirname, '../worker/fixtures');
const SESSION = 'golden-session-0005';
const USER_ID = 'golden-message-0005';
const REPLY_ID = 'golden-message-0005_r';

/** The events of these bytes, read through the SDK's own reader, as the chunks given. */
async function eventsOfChunks(chunks: readonly Uint8Array[]): Promise<EventSourceMessage[]> {
  let index = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[index++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  });
  const events: EventSourceMessage[] = [];
  await readSSE(body, (event) => events.push(event));
  return events;
}
const bytesOf = (name: string) => readFileSync(`${FIXTURES}/${name}`);
const eventsOf = (name: string) => eventsOfChunks([bytesOf(name)]);
const fold = (state: ReplyState, events: readonly ReplyEvent[]) => events.reduce(applyEvent, state);
const fresh = () => sendingReply(SESSION, USER_ID);

const REASONING = 'The user wants the time in UTC.';
const TOOL_DONE: ChatPart = {
  type: 'tool',
  toolCallId: 'call_1',
  name: 'get_time',
  input: { timezone: 'UTC' },
  state: 'done',
  output: { iso: '2026-01-02T03:04:05.600Z' },
};
const PARTS: ChatPart[] = [{ type: 'reasoning', text: REASONING }, TOOL_DONE, { type: 'text', text: 'It is 03:04 UTC.' }];

describe('the fold on parts-exchange.sse', () => {
  it('folds to the final record with its parts, however the bytes are split in two', async () => {
    const bytes = bytesOf('parts-exchange.sse');
    const whole = fold(fresh(), await eventsOfChunks([bytes]));
    expect(whole.broken).toBeUndefined();
    expect(whole.final).toMatchObject({ status: 'complete', content: 'It is 03:04 UTC.', parts: PARTS });
    expect(whole.parts).toEqual(PARTS);
    expect(whole.lastEventId).toBe('9');
    // Every split, mid-line and mid-character included.
    for (let at = 0; at <= bytes.length; at++) {
      const split = fold(fresh(), await eventsOfChunks([bytes.subarray(0, at), bytes.subarray(at)]));
      expect(split, `split at byte ${at}`).toEqual(whole);
    }
  });

  it('builds the parts event by event: reasoning grows, the tool runs then is done, the text follows', async () => {
    const events = await eventsOf('parts-exchange.sse');
    const states = events.reduce<ReplyState[]>((all, event) => [...all, applyEvent(all[all.length - 1]!, event)], [fresh()]);
    const shown = states.slice(1).map((state) => [state.lastEventId, shownReply(state)?.content, shownReply(state)?.parts]);
    const running: ChatPart = { type: 'tool', toolCallId: 'call_1', name: 'get_time', input: { timezone: 'UTC' }, state: 'running' };
    expect(shown).toEqual([
      ['1', '', undefined],
      ['2', '', [{ type: 'reasoning', text: 'The user wants' }]],
      ['3', '', [{ type: 'reasoning', text: REASONING }]],
      ['4', '', [{ type: 'reasoning', text: REASONING }, running]],
      ['5', '', [{ type: 'reasoning', text: REASONING }, TOOL_DONE]],
      ['6', 'It is ', [{ type: 'reasoning', text: REASONING }, TOOL_DONE, { type: 'text', text: 'It is ' }]],
      ['7', 'It is 03:04 UTC', [{ type: 'reasoning', text: REASONING }, TOOL_DONE, { type: 'text', text: 'It is 03:04 UTC' }]],
      ['8', 'It is 03:04 UTC.', PARTS],
      ['9', 'It is 03:04 UTC.', PARTS],
    ]);
  });

  it('folds any cut into two batches to the same states as event by event', async () => {
    const events = await eventsOf('parts-exchange.sse');
    const oneByOne = fold(fresh(), events);
    for (let cut = 0; cut <= events.length; cut++) {
      const first = applyEvents(fresh(), events.slice(0, cut));
      expect(first, `through event ${cut}`).toEqual(fold(fresh(), events.slice(0, cut)));
      expect(applyEvents(first, events.slice(cut)), `cut at ${cut}`).toEqual(oneByOne);
    }
    // And every run of a batch anywhere: a batch that starts mid-part still extends that part.
    for (let from = 0; from <= events.length; from++)
      for (let to = from; to <= events.length; to++) {
        const before = fold(fresh(), events.slice(0, from));
        const batched = applyEvents(before, events.slice(from, to));
        expect(fold(batched, events.slice(to)), `batch ${from}..${to}`).toEqual(oneByOne);
      }
  });

  it('never changes a state (or its parts) it was given: a batch copies the parts once and shares what it left alone', async () => {
    const events = await eventsOf('parts-exchange.sse');
    const deepFreeze = <T>(value: T): T => {
      if (typeof value === 'object' && value !== null) {
        Object.values(value).forEach(deepFreeze);
        Object.freeze(value);
      }
      return value;
    };
    const throughTool = deepFreeze(fold(fresh(), events.slice(0, 5)));
    const snapshot = structuredClone(throughTool);
    // Frozen, deeply: a write to the given state or its parts would throw here, in strict mode.
    const grown = applyEvents(throughTool, events.slice(5, 8));
    expect(throughTool).toEqual(snapshot);
    expect(grown.parts).not.toBe(throughTool.parts);
    expect(grown.parts?.[0]).toBe(throughTool.parts?.[0]);
    expect(grown.parts?.[1]).toBe(throughTool.parts?.[1]);
    expect(grown.parts?.[2]).toEqual({ type: 'text', text: 'It is 03:04 UTC.' });
    // A batch extending a text part an earlier batch made copies that part, and only that part.
    const midText = deepFreeze(fold(fresh(), events.slice(0, 6)));
    const extended = applyEvents(midText, events.slice(6, 8));
    expect(midText.parts?.[2]).toEqual({ type: 'text', text: 'It is ' });
    expect(extended.parts?.[2]).toEqual({ type: 'text', text: 'It is 03:04 UTC.' });
    // A batch that changes nothing gives the state back.
    expect(applyEvents(throughTool, [{ event: 'newer-protocol-event', data: '{}' }])).toBe(throughTool);
  });
});

describe('the fold on resumes of a reply with parts', () => {
  /** The reply as a cache holds it after event `n`, and that id: what a resume starts from. */
  async function cachedAfter(n: number): Promise<ReplyState> {
    const events = await eventsOf('parts-exchange.sse');
    const before = fold(fresh(), events.slice(0, n));
    const cached: ChatMessage = JSON.parse(JSON.stringify(shownReply(before)));
    return resumingReply(SESSION, USER_ID, cached, before.lastEventId);
  }

  it('resumed after event 2 (mid reasoning) or 4 (the tool running), the parts equal the uninterrupted ones', async () => {
    const whole = fold(fresh(), await eventsOf('parts-exchange.sse'));
    for (const n of [2, 4]) {
      const events = await eventsOf(`parts-resume-after-event-${n}.sse`);
      const caughtUp = fold(await cachedAfter(n), events.slice(0, -1));
      expect(shownReply(caughtUp), `after ${n}`).toEqual({ ...whole.final, status: 'streaming', updatedAt: '2026-01-02T03:04:05.601Z' });
      expect(caughtUp.lastEventId).toBe('8');
      expect(fold(caughtUp, events.slice(-1)).final).toEqual(whole.final);
    }
  });

  it('resume-from-start: start, then one event per part so far', async () => {
    const whole = fold(fresh(), await eventsOf('parts-exchange.sse'));
    const events = await eventsOf('parts-resume-from-start.sse');
    const caughtUp = fold(fresh(), events.slice(0, -1));
    expect(caughtUp.parts).toEqual(PARTS);
    expect(caughtUp.text).toBe(whole.text);
  });

  it('a cached reply of text only, resumed into parts, keeps its text as the first part', async () => {
    const cached: ChatMessage = { ...shownReply(fold(fresh(), (await eventsOf('parts-exchange.sse')).slice(0, 1)))!, content: 'Hi. ' };
    const state = applyEvents(resumingReply(SESSION, USER_ID, cached, '2'), [
      { id: '3', event: 'reasoning', data: JSON.stringify({ id: REPLY_ID, text: 'Hm.' }) },
      { id: '4', event: 'delta', data: JSON.stringify({ id: REPLY_ID, text: 'Bye.' }) },
    ]);
    expect(shownReply(state)).toMatchObject({
      content: 'Hi. Bye.',
      parts: [
        { type: 'text', text: 'Hi. ' },
        { type: 'reasoning', text: 'Hm.' },
        { type: 'text', text: 'Bye.' },
      ],
    });
  });
});

describe('a malformed part event breaks the stream, and nothing of it is taken', () => {
  const data = (event: ReplyEvent) => JSON.parse(event.data) as Record<string, unknown>;
  const remade = (event: ReplyEvent, change: (body: Record<string, unknown>) => unknown): ReplyEvent => ({
    ...event,
    data: JSON.stringify(change(data(event))),
  });
  const without = (key: string) => (body: Record<string, unknown>) => {
    const { [key]: _dropped, ...rest } = body;
    return rest;
  };

  it('a reasoning, tool-call or tool-result event that is malformed, foreign or out of order', async () => {
    const events = await eventsOf('parts-exchange.sse');
    const [, reasoning, , call, result] = events as [ReplyEvent, ReplyEvent, ReplyEvent, ReplyEvent, ReplyEvent];
    const cases: [string, number, ReplyEvent][] = [
      ['reasoning without text', 1, remade(reasoning, without('text'))],
      ['reasoning of another reply', 1, remade(reasoning, (body) => ({ ...body, id: 'another-reply-0001' }))],
      ['reasoning with a number', 1, remade(reasoning, (body) => ({ ...body, text: 7 }))],
      ['a call without a name', 3, remade(call, without('name'))],
      ['a call with an empty id', 3, remade(call, (body) => ({ ...body, toolCallId: '' }))],
      ['a call without input', 3, remade(call, without('input'))],
      ['a call of another reply', 3, remade(call, (body) => ({ ...body, id: 'another-reply-0001' }))],
      ['a call made twice', 4, call],
      ['a result for no call', 4, remade(result, (body) => ({ ...body, toolCallId: 'call_2' }))],
      ['a result with neither output nor error', 4, remade(result, without('output'))],
      ['a result with both', 4, remade(result, (body) => ({ ...body, error: { code: 'tool_error', message: 'x' } }))],
      ['a result whose error is no error', 4, remade(result, (body) => ({ id: body.id, toolCallId: body.toolCallId, error: 'failed' }))],
      ['a result given twice', 5, result],
      ['a result before its call', 3, result],
      ['a final record whose content is not its text parts', 8, remade(events[8]!, (body) => ({ message: { ...(body.message as object), content: 'It is' } }))],
      ['a final record with a malformed part', 8, remade(events[8]!, (body) => ({ message: { ...(body.message as object), parts: [{ type: 'tool' }] } }))],
    ];
    for (const [label, at, malformed] of cases) {
      const before = fold(fresh(), events.slice(0, at));
      const after = applyEvents(before, [malformed, ...events.slice(at)]);
      expect(after.broken, label).toBeDefined();
      const { broken: _reason, ...rest } = after;
      expect(rest, label).toEqual(before);
    }
  });
});
