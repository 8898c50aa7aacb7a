// ReplyParts, the conversation object's memory of a reply's parts: the events each model piece makes, the catch-up a
// resumed stream gets, and the parts a checkpoint, a final record and a stop keep — checked against the SDK's own
// fold, since what matters is what a client gathers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../sdk/protocol';
import { applyEvents, resumingReply, sendingReply, shownReply, type ReplyEvent, type ReplyState } from '../../sdk/reply-stream';
import { isMessageOf } from '../../sdk/validate';
import { ReplyParts, START_EVENT_ID, type PartEvent } from '../../worker/conversation/reply-parts';
import { ModelError, type ModelPiece } from '../../worker/providers/model-provider';

const SESSION = 'parts-session-0001';
const USER_ID = 'parts-message-0001';
const REPLY_ID = `${USER_ID}_r`;
const AT = '2026-01-02T03:04:05.600Z';
const user: ChatMessage = { id: USER_ID, sessionId: SESSION, role: 'user', content: 'Hi', timestamp: AT, status: 'complete' };
const assistant: ChatMessage = { id: REPLY_ID, sessionId: SESSION, role: 'assistant', content: '', timestamp: AT, status: 'streaming', replyTo: USER_ID };

const startEvent: ReplyEvent = { event: 'start', id: String(START_EVENT_ID), data: JSON.stringify({ userMessage: user, assistantMessage: assistant }) };
const wire = (event: PartEvent): ReplyEvent => ({ event: event.name, id: String(event.id), data: JSON.stringify(event.data) });
const fold = (state: ReplyState, events: readonly PartEvent[]) => applyEvents(state, events.map(wire));
const started = () => applyEvents(sendingReply(SESSION, USER_ID), [startEvent]);

/** Every piece given to a fresh ReplyParts, and every event it made, in order. */
function run(pieces: readonly ModelPiece[], options?: ConstructorParameters<typeof ReplyParts>[1]) {
  const parts = new ReplyParts(REPLY_ID, options);
  const events = pieces.flatMap((piece) => parts.add(piece));
  return { parts, events };
}

const REPLY: ModelPiece[] = [
  { type: 'reasoning', text: 'The user asks ' },
  { type: 'reasoning', text: 'the time.' },
  { type: 'tool-call', toolCallId: 'call-1', name: 'get_time', input: { timezone: 'UTC' } },
  { type: 'tool-result', toolCallId: 'call-1', output: { iso: '2026-01-02T03:04:05.600Z' } },
  'It is ',
  { type: 'text', text: '03:04' },
  ' UTC.',
];

describe('ReplyParts: pieces to events', () => {
  it('numbers events from 2 (start is 1), extends consecutive text and reasoning, and completes a tool by its id', () => {
    const { parts, events } = run(REPLY);
    expect(events.map((e) => [e.id, e.name])).toEqual([
      [2, 'reasoning'],
      [3, 'reasoning'],
      [4, 'tool-call'],
      [5, 'tool-result'],
      [6, 'delta'],
      [7, 'delta'],
      [8, 'delta'],
    ]);
    expect(events[2]!.data).toEqual({ id: REPLY_ID, toolCallId: 'call-1', name: 'get_time', input: { timezone: 'UTC' } });
    expect(parts.lastEventId).toBe(8);
    expect(parts.text).toBe('It is 03:04 UTC.');
    expect(parts.parts).toEqual([
      { type: 'reasoning', text: 'The user asks the time.' },
      { type: 'tool', toolCallId: 'call-1', name: 'get_time', input: { timezone: 'UTC' }, state: 'done', output: { iso: '2026-01-02T03:04:05.600Z' } },
      { type: 'text', text: 'It is 03:04 UTC.' },
    ]);
    expect(parts.takeEventId()).toBe(9);
  });

  it('keeps no parts for a reply of text only, whose record carries none', () => {
    const { parts, events } = run(['Hello', '', ', world']);
    expect(events.map((e) => e.id)).toEqual([2, 3]);
    expect(parts.parts).toBeUndefined();
    expect(parts.finish()).toEqual({ content: 'Hello, world' });
  });

  it('makes an output over the limit an error part, tool_output_too_large, and measures bytes, not characters', () => {
    const limit = 64;
    const { parts, events } = run(
      [
        { type: 'tool-call', toolCallId: 'a', name: 'big', input: {} },
        { type: 'tool-result', toolCallId: 'a', output: 'x'.repeat(limit) },
        { type: 'tool-call', toolCallId: 'b', name: 'wide', input: {} },
        // 20 characters, 60 bytes of UTF-8, 62 with the quotes: within the limit.
        { type: 'tool-result', toolCallId: 'b', output: '€'.repeat(20) },
        { type: 'tool-call', toolCallId: 'c', name: 'wider', input: {} },
        // 22 characters, 68 bytes: over it, though 24 characters of JSON are far under it.
        { type: 'tool-result', toolCallId: 'c', output: '€'.repeat(22) },
      ],
      { maxToolJsonBytes: limit },
    );
    const [a, b, c] = parts.parts as { state: string; error?: { code: string }; output?: unknown }[];
    expect(a).toMatchObject({ state: 'error', error: { code: 'tool_output_too_large' } });
    expect(a).not.toHaveProperty('output');
    expect(b).toMatchObject({ state: 'done', output: '€'.repeat(20) });
    expect(c).toMatchObject({ state: 'error', error: { code: 'tool_output_too_large' } });
    expect(events[1]!.data).toMatchObject({ error: { code: 'tool_output_too_large' } });
  });

  it('holds the 64 KiB limit by default, for input as for output', () => {
    const big = 'x'.repeat(64 * 1024);
    const { parts, events } = run([
      { type: 'tool-call', toolCallId: 'a', name: 'search', input: { query: big } },
      { type: 'tool-result', toolCallId: 'a', output: 'never taken' },
      { type: 'tool-call', toolCallId: 'b', name: 'search', input: { query: 'x' } },
      { type: 'tool-result', toolCallId: 'b', output: big.slice(0, 64 * 1024 - 2) },
    ]);
    // The call goes out without its input, then its error: two events for one piece, and the late result is dropped.
    expect(events.map((e) => [e.id, e.name])).toEqual([
      [2, 'tool-call'],
      [3, 'tool-result'],
      [4, 'tool-call'],
      [5, 'tool-result'],
    ]);
    expect(parts.parts?.[0]).toMatchObject({ input: null, state: 'error', error: { code: 'tool_output_too_large' } });
    expect(parts.parts?.[1]).toMatchObject({ state: 'done' });
  });

  it('gives every reader the JSON value: undefined output is null, a value that is no JSON is a tool_error part', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const { parts } = run([
      { type: 'tool-call', toolCallId: 'a', name: 'void', input: { when: new Date(0) } as never },
      { type: 'tool-result', toolCallId: 'a', output: undefined as never },
      { type: 'tool-call', toolCallId: 'b', name: 'loop', input: {} },
      { type: 'tool-result', toolCallId: 'b', output: cyclic as never },
    ]);
    expect(parts.parts?.[0]).toMatchObject({ input: { when: '1970-01-01T00:00:00.000Z' }, state: 'done', output: null });
    expect(parts.parts?.[1]).toMatchObject({ state: 'error', error: { code: 'tool_error' } });
  });

  it('drops a repeated call and a result for no running call; refuses a call without id or name', () => {
    const { parts, events } = run([
      { type: 'tool-result', toolCallId: 'nobody', output: 1 },
      { type: 'tool-call', toolCallId: 'a', name: 'f', input: 1 },
      { type: 'tool-call', toolCallId: 'a', name: 'f', input: 2 },
      { type: 'tool-result', toolCallId: 'a', error: { code: 'tool_error', message: 'failed' } },
      { type: 'tool-result', toolCallId: 'a', output: 3 },
    ]);
    expect(events.map((e) => e.name)).toEqual(['tool-call', 'tool-result']);
    expect(parts.parts).toEqual([{ type: 'tool', toolCallId: 'a', name: 'f', input: 1, state: 'error', error: { code: 'tool_error', message: 'failed' } }]);
    expect(() => parts.add({ type: 'tool-call', toolCallId: '', name: 'f', input: 1 })).toThrow(ModelError);
    expect(() => parts.add({ type: 'tool-call', toolCallId: 'b', name: '', input: 1 })).toThrow(ModelError);
  });

  it('gives checkpoints a copy: a write in flight keeps the parts it was given', () => {
    const parts = new ReplyParts(REPLY_ID);
    parts.add({ type: 'reasoning', text: 'a' });
    const checkpoint = parts.parts;
    parts.add({ type: 'reasoning', text: 'b' });
    expect(checkpoint).toEqual([{ type: 'reasoning', text: 'a' }]);
  });
});

describe('ReplyParts: the final record and a stop', () => {
  const withRunningTool: ModelPiece[] = [
    'Let me look. ',
    { type: 'tool-call', toolCallId: 'a', name: 'search', input: { q: 'x' } },
  ];

  it('ends a tool still running when the reply ends as error, aborted', () => {
    const { parts } = run(withRunningTool);
    expect(parts.parts?.[1]).toMatchObject({ state: 'running' });
    expect(parts.finish().parts?.[1]).toMatchObject({ state: 'error', error: { code: 'aborted' } });
  });

  it('a stop during a running tool keeps the parts shown, the tool error/aborted, and takes nothing after it', () => {
    const { parts } = run(withRunningTool);
    const stopped = parts.stop('Let me look. ');
    expect(stopped).toEqual({
      content: 'Let me look. ',
      parts: [
        { type: 'text', text: 'Let me look. ' },
        { type: 'tool', toolCallId: 'a', name: 'search', input: { q: 'x' }, state: 'error', error: { code: 'aborted', message: expect.any(String) } },
      ],
    });
    expect(parts.add({ type: 'tool-result', toolCallId: 'a', output: 1 })).toEqual([]);
    expect(parts.add('more')).toEqual([]);
  });

  it('a stop that saw less text keeps the parts up to it and cuts the text part it ends in', () => {
    const { parts } = run([{ type: 'reasoning', text: 'Hm.' }, 'One two', { type: 'tool-call', toolCallId: 'a', name: 'f', input: 1 }, ' three']);
    expect(parts.stop('One')).toEqual({ content: 'One', parts: [{ type: 'reasoning', text: 'Hm.' }, { type: 'text', text: 'One' }] });
  });

  it('a stop that saw all of a text part keeps the tool after it, not the text the user never saw', () => {
    const { parts } = run(['One', { type: 'tool-call', toolCallId: 'a', name: 'f', input: 1 }, ' two']);
    expect(parts.stop('One').parts?.map((part) => part.type)).toEqual(['text', 'tool']);
  });

  it('a stop claiming text the model never wrote keeps no text', () => {
    const { parts } = run([{ type: 'reasoning', text: 'Hm.' }, 'One']);
    expect(parts.stop('Two')).toEqual({ content: '', parts: [{ type: 'reasoning', text: 'Hm.' }] });
  });
});

describe('ReplyParts.catchUp', () => {
  it('after event n sends the rest of the part n is in as one event, then one event per later part', () => {
    const { parts } = run(REPLY);
    // n = 2: the first reasoning piece; the rest of the reasoning, the tool's call and result, the whole text.
    expect(parts.catchUp(2).map((e) => [e.id, e.name, e.data])).toEqual([
      [3, 'reasoning', { id: REPLY_ID, text: 'the time.' }],
      [4, 'tool-call', { id: REPLY_ID, toolCallId: 'call-1', name: 'get_time', input: { timezone: 'UTC' } }],
      [5, 'tool-result', { id: REPLY_ID, toolCallId: 'call-1', output: { iso: '2026-01-02T03:04:05.600Z' } }],
      [8, 'delta', { id: REPLY_ID, text: 'It is 03:04 UTC.' }],
    ]);
    // n = 4: the tool was running; its result, then the text.
    expect(parts.catchUp(4).map((e) => [e.id, e.name])).toEqual([
      [5, 'tool-result'],
      [8, 'delta'],
    ]);
    expect(parts.catchUp(6).map((e) => e.data)).toEqual([{ id: REPLY_ID, text: '03:04 UTC.' }]);
    expect(parts.catchUp(8)).toEqual([]);
    expect(parts.catchUp(99)).toEqual([]);
  });

  it('without an event id (after start) sends one event per part so far: a tool part as its call and result', () => {
    const { parts } = run(REPLY);
    expect(parts.catchUp().map((e) => [e.id, e.name])).toEqual([
      [3, 'reasoning'],
      [4, 'tool-call'],
      [5, 'tool-result'],
      [8, 'delta'],
    ]);
    expect(parts.catchUp(0)).toEqual(parts.catchUp());
  });

  it('a text-only reply catches up as one delta with exactly the text after n, as before parts', () => {
    const { parts } = run(['Hello', ', world', '!']);
    expect(parts.catchUp(3)).toEqual([{ name: 'delta', data: { id: REPLY_ID, text: '!' }, id: 4 }]);
    expect(parts.catchUp().map((e) => e.data)).toEqual([{ id: REPLY_ID, text: 'Hello, world!' }]);
  });

  it('orders by id a result that came after later parts (parallel calls)', () => {
    const { parts } = run([
      { type: 'tool-call', toolCallId: 'a', name: 'f', input: 1 },
      { type: 'tool-call', toolCallId: 'b', name: 'f', input: 2 },
      { type: 'tool-result', toolCallId: 'b', output: 'B' },
      'text ',
      { type: 'tool-result', toolCallId: 'a', output: 'A' },
      'more',
    ]);
    expect(parts.catchUp(3).map((e) => [e.id, e.name])).toEqual([
      [4, 'tool-result'],
      [6, 'tool-result'],
      [7, 'delta'],
    ]);
    expect(parts.catchUp(5).map((e) => [e.id, e.name, e.data])).toEqual([
      [6, 'tool-result', { id: REPLY_ID, toolCallId: 'a', output: 'A' }],
      [7, 'delta', { id: REPLY_ID, text: 'more' }],
    ]);
  });

  /** A random reply: text, reasoning, calls (several may run at once) and their results in any order. */
  const pieces = fc
    .array(
      fc.oneof(
        fc.string({ maxLength: 6 }).map((text): ModelPiece => text),
        fc.string({ maxLength: 6 }).map((text): ModelPiece => ({ type: 'text', text })),
        fc.string({ minLength: 1, maxLength: 6 }).map((text): ModelPiece => ({ type: 'reasoning', text })),
        fc.constantFrom('a', 'b', 'c').map((toolCallId): ModelPiece => ({ type: 'tool-call', toolCallId, name: 'tool', input: { toolCallId } })),
        fc.constantFrom('a', 'b', 'c').map((toolCallId): ModelPiece => ({ type: 'tool-result', toolCallId, output: [toolCallId] })),
        fc.constantFrom('a', 'b', 'c').map((toolCallId): ModelPiece => ({ type: 'tool-result', toolCallId, error: { code: 'tool_error', message: toolCallId } })),
        fc.constantFrom('a', 'b').map((toolCallId): ModelPiece => ({ type: 'tool-result', toolCallId, output: 'x'.repeat(40) })),
      ),
      { maxLength: 24 },
    );

  it('for every event boundary n, the events through n and then catchUp(n) fold to the uninterrupted reply', () => {
    fc.assert(
      fc.property(pieces, (reply) => {
        const { parts, events } = run(reply, { maxToolJsonBytes: 32 });
        const whole = fold(started(), events);
        expect(whole.broken).toBeUndefined();
        expect(whole.text).toBe(parts.text);
        expect(whole.parts).toEqual(parts.parts);
        for (let n = START_EVENT_ID; n <= parts.lastEventId; n++) {
          const before = fold(started(), events.filter((event) => event.id <= n));
          const catchUp = parts.catchUp(n);
          // The ids keep increasing past n, and end where the reply is.
          expect(catchUp.map((e) => e.id)).toEqual([...new Set(catchUp.map((e) => e.id))].sort((a, b) => a - b));
          expect(catchUp.every((e) => e.id > n)).toBe(true);
          const resumed = fold(before, catchUp);
          expect(resumed.broken).toBeUndefined();
          expect(shownReply(resumed)).toEqual(shownReply(whole));
          expect(resumed.lastEventId).toBe(whole.lastEventId);
          // The same from what a cache holds at n: the reply as shown then, and the id.
          const cached = resumingReply(SESSION, USER_ID, shownReply(before), before.lastEventId);
          expect(shownReply(fold(cached, catchUp))).toEqual(shownReply(whole));
        }
        // A stream attached from the start: `start`, then one event per part.
        expect(shownReply(fold(started(), parts.catchUp()))).toEqual(shownReply(whole));
      }),
      { numRuns: 300 },
    );
  });

  it('every record it gives (checkpoint, final, stop at any point of the text) passes the SDK’s validation', () => {
    fc.assert(
      fc.property(pieces, fc.nat(), (reply, cutSeed) => {
        const { parts } = run(reply, { maxToolJsonBytes: 32 });
        const record = (fields: { content: string; parts?: ChatMessage['parts'] }): ChatMessage => ({ ...assistant, ...fields });
        expect(isMessageOf(record({ content: parts.text, parts: parts.parts }), SESSION)).toBe(true);
        const cut = parts.text.slice(0, cutSeed % (parts.text.length + 1));
        const stopped = new ReplyParts(REPLY_ID);
        reply.forEach((piece) => stopped.add(piece));
        const kept = stopped.stop(cut);
        expect(kept.content).toBe(cut);
        expect(isMessageOf(record(kept), SESSION)).toBe(true);
        expect(kept.parts?.some((part) => part.type === 'tool' && part.state === 'running') ?? false).toBe(false);
        const final = parts.finish();
        expect(isMessageOf(record(final), SESSION)).toBe(true);
        expect(final.parts?.some((part) => part.type === 'tool' && part.state === 'running') ?? false).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
