// A reply with parts through the conversation object: live events under one id sequence, resume from any event id,
// checkpoints and the final record with parts, stop during a running tool, tool errors, the size limit.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatPart, DoneEventData, HistoryResponseBody, StartEventData, StopResponseBody } from '../../sdk/protocol';
import { applyEvent, sendingReply, type ReplyEvent, type ReplyState } from '../../sdk/reply-stream';
import { createDemoModel, messageKey, type ModelPiece } from '../../worker/index';
import { open, type EventReader } from './support/event-reader';
import { uniqueId } from './support/ids';
import { spyKv } from './support/kv-spy';
import { call, chatRequest, followRequest, historyRequest, stopRequest } from './support/requests';
import { gate, scriptedModel, type ScriptStep } from './support/scripted-model';
import { chatWorker } from './support/chat-worker';
import type { ParsedEvent } from './support/sse';

/** The golden reply's pieces (test/worker/parts-golden.test.ts): reasoning, a tool call and its result, text. */
const PIECES: ModelPiece[] = [
  { type: 'reasoning', text: 'The user wants' },
  { type: 'reasoning', text: ' the time in UTC.' },
  { type: 'tool-call', toolCallId: 'call_1', name: 'get_time', input: { timezone: 'UTC' } },
  { type: 'tool-result', toolCallId: 'call_1', output: { iso: '2026-01-02T03:04:05.600Z' } },
  'It is ',
  '03:04 UTC',
  '.',
];
const PARTS: ChatPart[] = [
  { type: 'reasoning', text: 'The user wants the time in UTC.' },
  { type: 'tool', toolCallId: 'call_1', name: 'get_time', input: { timezone: 'UTC' }, state: 'done', output: { iso: '2026-01-02T03:04:05.600Z' } },
  { type: 'text', text: 'It is 03:04 UTC.' },
];

const asReplyEvent = (event: ParsedEvent): ReplyEvent => ({ event: event.event, data: JSON.stringify(event.data), id: event.id });
const fold = (state: ReplyState, events: readonly ParsedEvent[]) => events.map(asReplyEvent).reduce(applyEvent, state);

async function startTurn(steps: ScriptStep[], options: Parameters<typeof chatWorker>[0] = {}) {
  const worker = chatWorker({ model: scriptedModel(steps), ...options });
  const sessionId = uniqueId('s');
  const userId = uniqueId('m');
  const sent = await open(worker, chatRequest({ sessionId, message: { id: userId, content: 'think: what time is it?' } }));
  const start = (await sent.events.until((event) => event.event === 'start'))?.data as StartEventData;
  return { worker, sessionId, userId, sent, replyId: start.assistantMessage.id };
}

const untilId = (reader: EventReader, id: number) => reader.until((event) => Number(event.id) >= id);

describe('a reply with parts, through the conversation object', () => {
  it('resumes at every event boundary, live and after the fact, to exactly the parts of the uninterrupted reply', async () => {
    const gates = PIECES.map(() => gate());
    const steps = PIECES.flatMap((piece, index): ScriptStep[] => [gates[index]!, piece]);
    const held = gate();
    const { worker, sessionId, userId, sent, replyId } = await startTurn([...steps, held]);
    const followers: { after: number | undefined; reader: EventReader }[] = [];
    const follow = async (after: number | undefined) => {
      const { events } = await open(worker, followRequest(sessionId, replyId, after === undefined ? undefined : String(after)));
      followers.push({ after, reader: events });
    };
    // Live: a stream resumed after the newest event, and one from nothing, at each point of the reply.
    for (let index = 0; index < PIECES.length; index++) {
      await follow(index + 1);
      await follow(undefined);
      gates[index]!.release();
      await untilId(sent.events, index + 2);
    }
    // After the fact: every boundary once the whole reply is out, so a catch-up spans several events.
    for (let after = 1; after <= PIECES.length + 1; after++) await follow(after);
    held.release();
    const all = await sent.events.rest();
    expect(all.map((event) => Number(event.id))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const whole = fold(sendingReply(sessionId, userId), all);
    expect(whole.final).toMatchObject({ status: 'complete', content: 'It is 03:04 UTC.', parts: PARTS });

    for (const { after, reader } of followers) {
      const events = await reader.rest();
      const seen = after === undefined ? [] : all.slice(0, after);
      const beforeDone = fold(sendingReply(sessionId, userId), [...seen, ...events.slice(0, -1)]);
      expect(beforeDone.broken, `after ${after}`).toBeUndefined();
      expect(beforeDone.parts, `after ${after}`).toEqual(PARTS);
      expect(beforeDone.text).toBe('It is 03:04 UTC.');
      expect(events.at(-1)).toEqual(all.at(-1));
      const ids = events.map((event) => Number(event.id));
      expect(ids.every((id, i) => id > (i === 0 ? (after ?? 0) : ids[i - 1]!))).toBe(true);
    }
    const stored = await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, replyId), 'json');
    expect(stored).toEqual((all.at(-1)?.data as DoneEventData).message);
  });

  it('checkpoints the parts in its object (a running tool as running), and KV only at the start and the end', async () => {
    const spy = spyKv(env.CHAT_KV);
    let clock = Date.now();
    const held = gate();
    const reasoning = Array.from({ length: 200 }, (_, i) => ({ type: 'reasoning' as const, text: `word${i} ` }));
    const staleStreamingMs = 60_000;
    const { worker, sessionId, replyId, sent } = await startTurn(
      [...reasoning, { type: 'tool-call', toolCallId: 'c1', name: 'get_time', input: { timezone: 'UTC' } }, held, 'Done.'],
      { kv: spy.kv, now: () => clock, staleStreamingMs },
    );
    await sent.events.until((event) => event.event === 'tool-call');
    // Long past the stale limit with no KV write: history asks the object, which has the parts with the tool running.
    clock += staleStreamingMs + 5_000;
    const shown = (JSON.parse((await call(worker, historyRequest({ sessionId }))).text) as HistoryResponseBody).messages.at(-1);
    expect(shown).toMatchObject({ id: replyId, status: 'streaming' });
    expect(shown?.parts?.map((part) => part.type)).toEqual(['reasoning', 'tool']);
    expect(shown?.parts?.[1]).toMatchObject({ state: 'running' });
    held.release();
    await sent.events.rest();
    const key = messageKey(sessionId, replyId);
    // The placeholder and the final record: no checkpoint of a reply reaches KV, however long it runs.
    expect(spy.putKeys.filter((put) => put === key)).toHaveLength(2);
    const stored = await env.CHAT_KV.get<ChatMessage>(key, 'json');
    expect(stored?.parts?.map((part) => part.type)).toEqual(['reasoning', 'tool', 'text']);
    // The model ended without the tool's result: the final record ends the tool.
    expect(stored?.parts?.[1]).toMatchObject({ state: 'error', error: { code: 'aborted' } });
  });

  it('a stop during a running tool ends it error/aborted, and the aborted record keeps the parts shown', async () => {
    const { worker, sessionId, replyId, sent } = await startTurn([
      'Let me check. ',
      { type: 'tool-call', toolCallId: 'c1', name: 'get_time', input: { timezone: 'UTC' } },
      { hang: true },
    ]);
    await sent.events.until((event) => event.event === 'tool-call');
    const stopped = await call(worker, stopRequest({ sessionId, messageId: replyId, content: 'Let me check. ' }));
    const { message } = JSON.parse(stopped.text) as StopResponseBody;
    const shownParts: ChatPart[] = [
      { type: 'text', text: 'Let me check. ' },
      { type: 'tool', toolCallId: 'c1', name: 'get_time', input: { timezone: 'UTC' }, state: 'error', error: { code: 'aborted', message: 'The reply ended before the tool finished' } },
    ];
    expect(message).toMatchObject({ status: 'aborted', content: 'Let me check. ', parts: shownParts });
    const events = await sent.events.rest();
    expect((events.at(-1)?.data as DoneEventData).message).toEqual(message);
    expect(await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, replyId), 'json')).toEqual(message);
  });

  it('a tool that failed is an error part and the reply goes on; an output over 64 KiB is an error part', async () => {
    const { sessionId, replyId, sent } = await startTurn([
      { type: 'tool-call', toolCallId: 'c1', name: 'lookup', input: { q: 'x' } },
      { type: 'tool-result', toolCallId: 'c1', error: { code: 'tool_error', message: 'No such city' } },
      { type: 'tool-call', toolCallId: 'c2', name: 'dump', input: {} },
      { type: 'tool-result', toolCallId: 'c2', output: 'x'.repeat(64 * 1024) },
      'Sorry.',
    ]);
    const events = await sent.events.rest();
    const final = (events.at(-1)?.data as DoneEventData).message;
    expect(final.status).toBe('complete');
    expect(final.parts).toMatchObject([
      { type: 'tool', toolCallId: 'c1', state: 'error', error: { code: 'tool_error' } },
      { type: 'tool', toolCallId: 'c2', state: 'error', error: { code: 'tool_output_too_large' } },
      { type: 'text', text: 'Sorry.' },
    ]);
    expect(JSON.stringify(final).length).toBeLessThan(2_000);
    expect(await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, replyId), 'json')).toEqual(final);
  });

  it('a turn sent again after the end is replayed with its parts', async () => {
    const { worker, sessionId, userId, sent } = await startTurn(PIECES);
    const all = await sent.events.rest();
    const again = await call(worker, chatRequest({ sessionId, message: { id: userId, content: 'think: what time is it?' } }));
    const { parseSse } = await import('./support/sse');
    const replayed = fold(sendingReply(sessionId, userId), parseSse(again.text).events);
    expect(replayed.broken).toBeUndefined();
    expect(replayed.parts).toEqual(PARTS);
    expect(replayed.final).toEqual((all.at(-1)?.data as DoneEventData).message);
  });

  it("the demo model's think: and what time turns keep their parts in history", async () => {
    const worker = chatWorker({ model: createDemoModel({ delayMs: 0 }) });
    const sessionId = uniqueId('s');
    for (const content of ['think: why is the sky blue?', 'What time is it?']) {
      await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content } }));
    }
    const history = JSON.parse((await call(worker, historyRequest({ sessionId }))).text) as { messages: ChatMessage[] };
    const replies = history.messages.filter((message) => message.role === 'assistant');
    expect(replies.map((reply) => reply.parts?.map((part) => part.type))).toEqual([
      ['reasoning', 'text'],
      ['tool', 'text'],
    ]);
    const tool = replies[1]!.parts![0]!;
    expect(tool).toMatchObject({ name: 'get_time', input: { timezone: 'UTC' }, state: 'done', output: { iso: expect.any(String) } });
    expect(replies[1]!.content).toContain((tool as unknown as { output: { iso: string } }).output.iso);
  });
});
