// Replies with parts through the AI SDK adapter: chatkeep's reasoning, tool-call and tool-result events as UI message
// chunks, read back by the real `ai`, on the Worker's golden stream of such a reply and on recorded sequences; and the
// message `useChat` shows compared with the one the AI SDK's own route makes of the same model output.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { jsonSchema, streamText, tool, type UIMessage, type UIMessageChunk } from 'ai';
import { convertArrayToReadableStream, MockLanguageModelV4 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { toUIMessages } from '../../sdk/ai-sdk/history-messages';
import { chunksForEvent, chunksForRecord, newProgress, type ReplyEvent } from '../../sdk/ai-sdk/reply-chunks';
import type { ChatMessage, ChatPart } from '../../sdk/protocol';
import { readSSE } from '../../sdk/sse-reader';
import { ReplyParts } from '../../worker/conversation/reply-parts';
import { aiSdkModel } from '../../worker/providers/ai-sdk-model';
import { shown } from './shown-ui-message';

const FIXTURES = resolve(import.meta.dirname, '../worker/fixtures');
const REPLY_ID = 'golden-message-0005_r';

async function eventsOf(name: string): Promise<ReplyEvent[]> {
  const events: ReplyEvent[] = [];
  await readSSE(new Response(readFileSync(`${FIXTURES}/${name}`)).body!, (event) => events.push(event));
  return events;
}


/** What a person sees of UI parts: kinds, text, tool states, inputs and outputs (no ids or provider metadata). */
const seen = (parts: UIMessage['parts'] = []) =>
  parts
    .filter((part) => part.type !== 'step-start')
    .map((part) => {
      if (part.type === 'text' || part.type === 'reasoning') return { type: part.type, text: part.text };
      if (part.type.startsWith('tool-') && 'toolCallId' in part) {
        const { type, toolCallId, state, input, output, errorText } = part as Record<string, unknown>;
        return { type, toolCallId, state, input, ...(output !== undefined && { output }), ...(errorText !== undefined && { errorText }) };
      }
      return { type: part.type };
    });

const GOLDEN_SEEN = [
  { type: 'reasoning', text: 'The user wants the time in UTC.' },
  { type: 'tool-get_time', toolCallId: 'call_1', state: 'output-available', input: { timezone: 'UTC' }, output: { iso: '2026-01-02T03:04:05.600Z' } },
  { type: 'text', text: 'It is 03:04 UTC.' },
];

describe('chatkeep part events as UI message chunks', () => {
  it('parts-exchange.sse: reasoning, a tool-get_time part with its output, the text, in the chunks the AI SDK sends', async () => {
    const progress = newProgress();
    const chunks = (await eventsOf('parts-exchange.sse')).flatMap((event) => chunksForEvent(progress, event));
    expect(chunks).toEqual([
      { type: 'start', messageId: REPLY_ID },
      { type: 'reasoning-start', id: REPLY_ID },
      { type: 'reasoning-delta', id: REPLY_ID, delta: 'The user wants' },
      { type: 'reasoning-delta', id: REPLY_ID, delta: ' the time in UTC.' },
      { type: 'reasoning-end', id: REPLY_ID },
      { type: 'tool-input-available', toolCallId: 'call_1', toolName: 'get_time', input: { timezone: 'UTC' } },
      { type: 'tool-output-available', toolCallId: 'call_1', output: { iso: '2026-01-02T03:04:05.600Z' } },
      { type: 'text-start', id: `${REPLY_ID}-2` },
      { type: 'text-delta', id: `${REPLY_ID}-2`, delta: 'It is ' },
      { type: 'text-delta', id: `${REPLY_ID}-2`, delta: '03:04 UTC' },
      { type: 'text-delta', id: `${REPLY_ID}-2`, delta: '.' },
      { type: 'text-end', id: `${REPLY_ID}-2` },
      { type: 'finish', finishReason: 'stop' },
    ]);
    const errors: unknown[] = [];
    const message = await shown(chunks, errors);
    expect(errors).toEqual([]);
    expect(seen(message?.parts)).toEqual(GOLDEN_SEEN);
    expect(progress).toMatchObject({ text: 'It is 03:04 UTC.', ended: true, lastEventId: '9' });
  });

  it('a stream cut after event 4 (the tool running) and resumed shows the same message, one tool part', async () => {
    const events = await eventsOf('parts-exchange.sse');
    const progress = newProgress();
    const first = events.slice(0, 4).flatMap((event) => chunksForEvent(progress, event));
    expect(progress.lastEventId).toBe('4');
    const resumed = (await eventsOf('parts-resume-after-event-4.sse')).flatMap((event) => chunksForEvent(progress, event));
    expect(seen((await shown([...first, ...resumed]))?.parts)).toEqual(GOLDEN_SEEN);
  });

  it('the message shown equals toUIMessages of the final record', async () => {
    const events = await eventsOf('parts-exchange.sse');
    const progress = newProgress();
    const message = await shown(events.flatMap((event) => chunksForEvent(progress, event)));
    const final = (JSON.parse(events.at(-1)!.data) as { message: ChatMessage }).message;
    expect(seen(message?.parts)).toEqual(seen(toUIMessages([final])[0]!.parts));
  });

  it('a tool that failed is a tool-output-error, and a running tool stays input-available', async () => {
    const event = (name: string, id: number, data: object): ReplyEvent => ({ event: name, id: String(id), data: JSON.stringify({ id: REPLY_ID, ...data }) });
    const [start] = await eventsOf('parts-exchange.sse');
    const progress = newProgress();
    const chunks = [
      start!,
      event('tool-call', 2, { toolCallId: 'a', name: 'search', input: { q: 'x' } }),
      event('tool-call', 3, { toolCallId: 'b', name: 'search', input: { q: 'y' } }),
      event('tool-result', 4, { toolCallId: 'a', error: { code: 'tool_error', message: 'Search is down' } }),
      // A second result for a finished call, and one for no call, add nothing.
      event('tool-result', 5, { toolCallId: 'a', output: 1 }),
      event('tool-result', 6, { toolCallId: 'zzz', output: 1 }),
    ].flatMap((e) => chunksForEvent(progress, e));
    expect(chunks.slice(3)).toEqual([{ type: 'tool-output-error', toolCallId: 'a', errorText: 'Search is down' }]);
    expect(seen((await shown(chunks))?.parts)).toEqual([
      { type: 'tool-search', toolCallId: 'a', state: 'output-error', input: { q: 'x' }, errorText: 'Search is down' },
      { type: 'tool-search', toolCallId: 'b', state: 'input-available', input: { q: 'y' } },
    ]);
  });
});

describe('history records with parts as chunks', () => {
  const record = (over: Partial<ChatMessage>): ChatMessage => ({
    id: REPLY_ID,
    sessionId: 'golden-session-0005',
    role: 'assistant',
    content: '',
    timestamp: '2026-01-02T03:04:05.601Z',
    status: 'streaming',
    replyTo: 'golden-message-0005',
    ...over,
  });
  const running: ChatPart = { type: 'tool', toolCallId: 'c', name: 'get_time', input: {}, state: 'running' };
  const done: ChatPart = { ...running, state: 'done', output: { iso: 'now' } };

  it('followed checkpoint by checkpoint, each adds only what is new: the tool, its result, the text', async () => {
    const progress = newProgress();
    const chunks = [
      chunksForRecord(progress, record({ parts: [{ type: 'reasoning', text: 'Hm' }] })),
      chunksForRecord(progress, record({ parts: [{ type: 'reasoning', text: 'Hm.' }, running] })),
      chunksForRecord(progress, record({ content: 'Now.', parts: [{ type: 'reasoning', text: 'Hm.' }, done, { type: 'text', text: 'Now.' }], status: 'complete' })),
    ];
    expect(chunks.map((list) => list.map((chunk) => chunk.type))).toEqual([
      ['start', 'reasoning-start', 'reasoning-delta'],
      ['reasoning-delta', 'reasoning-end', 'tool-input-available'],
      ['tool-output-available', 'text-start', 'text-delta', 'text-end', 'finish'],
    ]);
    expect(seen((await shown(chunks.flat()))?.parts)).toEqual([
      { type: 'reasoning', text: 'Hm.' },
      { type: 'tool-get_time', toolCallId: 'c', state: 'output-available', input: {}, output: { iso: 'now' } },
      { type: 'text', text: 'Now.' },
    ]);
  });

  it('a stop that kept less than was shown replaces the parts, once', async () => {
    const progress = newProgress();
    const streamed = chunksForRecord(progress, record({ content: 'One two', parts: [running, { type: 'text', text: 'One two' }] }));
    const stopped = chunksForRecord(progress, record({
      content: 'One',
      status: 'aborted',
      parts: [{ ...running, state: 'error', error: { code: 'aborted', message: 'Stopped' } }, { type: 'text', text: 'One' }],
    }));
    expect(stopped[0]).toEqual({ type: 'reset-step' });
    expect(seen((await shown([...streamed, ...stopped]))?.parts)).toEqual([
      { type: 'tool-get_time', toolCallId: 'c', state: 'output-error', input: {}, errorText: 'Stopped' },
      { type: 'text', text: 'One' },
    ]);
  });

  it('toUIMessages gives parts back, the last one streaming while the reply runs', () => {
    const [message] = toUIMessages([record({ content: 'So', parts: [done, { type: 'text', text: 'So' }] })]);
    expect(message!.parts).toEqual([
      { type: 'tool-get_time', toolCallId: 'c', state: 'output-available', input: {}, output: { iso: 'now' } },
      { type: 'text', text: 'So', state: 'streaming' },
    ]);
    const [failed] = toUIMessages([record({ status: 'error', parts: [{ ...running, state: 'error', error: { code: 'tool_error', message: 'x' } }] })]);
    expect(failed!.parts).toEqual([{ type: 'tool-get_time', toolCallId: 'c', state: 'output-error', input: {}, errorText: 'x' }]);
  });
});

describe('useChat shows a tool call the same through chatkeep as through the AI SDK’s own route', () => {
  const usage = {
    inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: 1, text: 1, reasoning: undefined },
  };
  const mock = () =>
    new MockLanguageModelV4({
      doStream: [
        {
          stream: convertArrayToReadableStream([
            { type: 'stream-start', warnings: [] },
            { type: 'reasoning-start', id: 'r' },
            { type: 'reasoning-delta', id: 'r', delta: 'Check the clock.' },
            { type: 'reasoning-end', id: 'r' },
            { type: 'tool-call', toolCallId: 'call-1', toolName: 'get_time', input: '{"timezone":"UTC"}' },
            { type: 'finish', finishReason: { unified: 'tool-calls', raw: undefined }, usage },
          ]) as never,
        },
        {
          stream: convertArrayToReadableStream([
            { type: 'stream-start', warnings: [] },
            { type: 'text-start', id: 't' },
            { type: 'text-delta', id: 't', delta: 'It is ' },
            { type: 'text-delta', id: 't', delta: 'noon.' },
            { type: 'text-end', id: 't' },
            { type: 'finish', finishReason: { unified: 'stop', raw: undefined }, usage },
          ]) as never,
        },
      ],
    });
  const tools = {
    get_time: tool({
      inputSchema: jsonSchema<{ timezone: string }>({ type: 'object', properties: { timezone: { type: 'string' } } }),
      execute: async () => ({ iso: '2026-01-02T12:00:00.000Z' }),
    }),
  };

  it('the same parts, in the same order and states', async () => {
    const { isStepCount } = await import('ai');
    const theirChunks: UIMessageChunk[] = [];
    for await (const chunk of streamText({ model: mock(), tools, stopWhen: isStepCount(5), prompt: 'What time is it?' }).toUIMessageStream())
      theirChunks.push(chunk);
    const theirs = await shown(theirChunks);

    // chatkeep: the same model through aiSdkModel, its pieces as the Worker's events, read by the adapter.
    const parts = new ReplyParts(REPLY_ID);
    const [start] = await eventsOf('parts-exchange.sse');
    const progress = newProgress();
    const chunks = chunksForEvent(progress, start!);
    const model = aiSdkModel({ model: mock(), tools });
    for await (const piece of model.stream({ messages: [{ role: 'user', content: 'What time is it?' }], signal: new AbortController().signal }))
      for (const event of parts.add(piece))
        chunks.push(...chunksForEvent(progress, { event: event.name, id: String(event.id), data: JSON.stringify(event.data) }));
    const ours = await shown(chunks);

    expect(seen(ours?.parts)).toEqual(seen(theirs?.parts));
    expect(seen(ours?.parts).map((part) => part.type)).toEqual(['reasoning', 'tool-get_time', 'text']);
  });
});
