// aiSdkModel through the conversation object: a two-step tool loop persists both calls and results; a tool whose
// execute throws is an error part and the reply goes on, the record holds both, and the follow-up turn gives the
// failed call back to the model; a stop during a running tool cancels it and keeps the parts shown.
import { env } from 'cloudflare:workers';
import { jsonSchema, tool } from 'ai';
import { convertArrayToReadableStream, MockLanguageModelV4 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, DoneEventData, StartEventData, StopResponseBody } from '../../sdk/protocol';
import { aiSdkModel } from '../../worker/ai-sdk';
import { messageKey } from '../../worker/index';
import { open } from './support/event-reader';
import { uniqueId } from './support/ids';
import { call, chatRequest, followRequest, stopRequest } from './support/requests';
import { chatWorker } from './support/chat-worker';
import { parseSse } from './support/sse';

type StreamPart = Parameters<typeof convertArrayToReadableStream<unknown>>[0][number];
const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 1, text: 1, reasoning: undefined },
};
const finish = (unified: 'stop' | 'tool-calls') => ({ type: 'finish', finishReason: { unified, raw: undefined }, usage });
const step = (...parts: StreamPart[]) => ({ stream: convertArrayToReadableStream([{ type: 'stream-start', warnings: [] }, ...parts]) as never });
const text = (id: string, delta: string) => [
  { type: 'text-start', id },
  { type: 'text-delta', id, delta },
  { type: 'text-end', id },
];

const call_ = (toolCallId: string, toolName: string, input: unknown) => ({ type: 'tool-call', toolCallId, toolName, input: JSON.stringify(input) });
const cityInput = jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] });

describe('aiSdkModel through the conversation object', () => {
  it('a two-step tool loop streams and persists both calls with their results, then the answer', async () => {
    const mock = new MockLanguageModelV4({
      doStream: [
        step(call_('call-1', 'find_city', { city: 'Paris' }), finish('tool-calls')),
        step(call_('call-2', 'get_weather', { city: 'Paris' }), finish('tool-calls')),
        step(...text('t1', 'It is 21 °C in Paris.'), finish('stop')),
      ],
    });
    const tools = {
      find_city: tool({ inputSchema: cityInput, execute: async ({ city }) => ({ city, country: 'FR' }) }),
      get_weather: tool({ inputSchema: cityInput, execute: async ({ city }) => ({ city, celsius: 21 }) }),
    };
    const sessionId = uniqueId('s');
    const { text: body } = await call(
      chatWorker({ model: aiSdkModel({ model: mock, tools }) }),
      chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Weather in Paris?' } }),
    );
    const events = parseSse(body).events;
    expect(events.map((event) => event.event)).toEqual(['start', 'tool-call', 'tool-result', 'tool-call', 'tool-result', 'delta', 'done']);
    const final = (events.at(-1)?.data as DoneEventData).message;
    expect(final).toMatchObject({
      status: 'complete',
      content: 'It is 21 °C in Paris.',
      parts: [
        { type: 'tool', toolCallId: 'call-1', name: 'find_city', input: { city: 'Paris' }, state: 'done', output: { city: 'Paris', country: 'FR' } },
        { type: 'tool', toolCallId: 'call-2', name: 'get_weather', input: { city: 'Paris' }, state: 'done', output: { city: 'Paris', celsius: 21 } },
        { type: 'text', text: 'It is 21 °C in Paris.' },
      ],
    });
    expect(await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, final.id), 'json')).toEqual(final);
    expect(mock.doStreamCalls).toHaveLength(3);
  });

  it('a page that goes away while the tool runs: the tool finishes, the reply ends, and a reload sees the one call and its result', async () => {
    const mock = new MockLanguageModelV4({
      doStream: [
        step(call_('call-1', 'get_weather', { city: 'Paris' }), finish('tool-calls')),
        step(...text('t1', 'It is 21 °C in Paris.'), finish('stop')),
      ],
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const tools = {
      get_weather: tool({
        inputSchema: cityInput,
        execute: async ({ city }) => {
          await released;
          return { city, celsius: 21 };
        },
      }),
    };
    const worker = chatWorker({ model: aiSdkModel({ model: mock, tools }) });
    const sessionId = uniqueId('s');
    const sent = await open(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Weather in Paris?' } }));
    const replyId = ((await sent.events.until((event) => event.event === 'start'))?.data as StartEventData).assistantMessage.id;
    await sent.events.until((event) => event.event === 'tool-call');
    await sent.events.cancel();
    await sent.settled();
    // The reload follows the reply from its start while the tool still runs, then the tool finishes: the call once,
    // its result, the text, the final record.
    const reload = await open(worker, followRequest(sessionId, replyId));
    await reload.events.until((event) => event.event === 'tool-call');
    release();
    const events = await reload.events.rest();
    expect(events.map((event) => event.event)).toEqual(['start', 'tool-call', 'tool-result', 'delta', 'done']);
    const final = (events.at(-1)?.data as DoneEventData).message;
    expect(final).toMatchObject({
      status: 'complete',
      parts: [
        { type: 'tool', toolCallId: 'call-1', state: 'done', output: { city: 'Paris', celsius: 21 } },
        { type: 'text', text: 'It is 21 °C in Paris.' },
      ],
    });
    expect(await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, replyId), 'json')).toEqual(final);
  });

  it('a tool slower than modelIdleTimeoutMs is not the model falling silent: the reply waits for it and goes on', async () => {
    const mock = new MockLanguageModelV4({
      doStream: [
        step(call_('call-1', 'get_weather', { city: 'Paris' }), finish('tool-calls')),
        step(...text('t1', 'It is 21 °C in Paris.'), finish('stop')),
      ],
    });
    const toolMs = 1200;
    const tools = {
      get_weather: tool({
        inputSchema: cityInput,
        execute: async ({ city }) => {
          await new Promise((resolve) => setTimeout(resolve, toolMs));
          return { city, celsius: 21 };
        },
      }),
    };
    const worker = chatWorker({ model: aiSdkModel({ model: mock, tools }), modelIdleTimeoutMs: toolMs / 3, log: () => undefined });
    const { text: body } = await call(worker, chatRequest({ sessionId: uniqueId('s'), message: { id: uniqueId('m'), content: 'Weather in Paris?' } }));
    const events = parseSse(body).events;
    expect(events.map((event) => event.event)).toEqual(['start', 'tool-call', 'tool-result', 'delta', 'done']);
    expect((events.at(-1)?.data as DoneEventData).message).toMatchObject({
      status: 'complete',
      parts: [{ type: 'tool', state: 'done', output: { city: 'Paris', celsius: 21 } }, { type: 'text' }],
    });
  });

  it('a stop during a running tool cancels the tool, ends its part error/aborted and keeps the parts shown', async () => {
    const mock = new MockLanguageModelV4({
      doStream: [step(...text('t0', 'Let me look. '), call_('call-1', 'get_weather', { city: 'Paris' }), finish('tool-calls'))],
    });
    let cancelled!: () => void;
    const toolCancelled = new Promise<void>((resolve) => (cancelled = resolve));
    const tools = {
      get_weather: tool({
        inputSchema: cityInput,
        // A slow tool: it answers only when it is cancelled.
        execute: (_input, { abortSignal }) =>
          new Promise<{ celsius: number }>((_resolve, reject) => {
            abortSignal?.addEventListener('abort', () => {
              cancelled();
              reject(new Error('cancelled'));
            });
          }),
      }),
    };
    const worker = chatWorker({ model: aiSdkModel({ model: mock, tools }) });
    const sessionId = uniqueId('s');
    const sent = await open(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Weather in Paris?' } }));
    const replyId = ((await sent.events.until((event) => event.event === 'start'))?.data as StartEventData).assistantMessage.id;
    await sent.events.until((event) => event.event === 'tool-call');
    const stopped = await call(worker, stopRequest({ sessionId, messageId: replyId, content: 'Let me look. ' }));
    const { message } = JSON.parse(stopped.text) as StopResponseBody;
    expect(message).toMatchObject({
      status: 'aborted',
      content: 'Let me look. ',
      parts: [
        { type: 'text', text: 'Let me look. ' },
        { type: 'tool', toolCallId: 'call-1', name: 'get_weather', state: 'error', error: { code: 'aborted' } },
      ],
    });
    await toolCancelled;
    const events = await sent.events.rest();
    expect((events.at(-1)?.data as DoneEventData).message).toEqual(message);
    expect(await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, replyId), 'json')).toEqual(message);
  });

  it('a tool that throws is an error part, the reply goes on, and the next turn tells the model', async () => {
    const mock = new MockLanguageModelV4({
      doStream: [
        step({ type: 'tool-call', toolCallId: 'call-1', toolName: 'get_weather', input: JSON.stringify({ city: 'Atlantis' }) }, finish('tool-calls')),
        step(...text('t1', 'I could not find it.'), finish('stop')),
        step(...text('t2', 'Try another city.'), finish('stop')),
      ],
    });
    const tools = {
      get_weather: tool({
        inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } } }),
        execute: async ({ city }): Promise<{ celsius: number }> => {
          throw new Error(`No such city: ${city}`);
        },
      }),
    };
    const worker = chatWorker({ model: aiSdkModel({ model: mock, tools }) });
    const sessionId = uniqueId('s');
    const sent = await open(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Weather in Atlantis?' } }));
    const events = await sent.events.rest();
    expect(events.map((event) => event.event)).toEqual(['start', 'tool-call', 'tool-result', 'delta', 'done']);
    const final = (events.at(-1)?.data as DoneEventData).message;
    expect(final).toMatchObject({
      status: 'complete',
      content: 'I could not find it.',
      parts: [
        { type: 'tool', toolCallId: 'call-1', name: 'get_weather', input: { city: 'Atlantis' }, state: 'error', error: { code: 'tool_error', message: 'No such city: Atlantis' } },
        { type: 'text', text: 'I could not find it.' },
      ],
    });
    expect(await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, final.id), 'json')).toEqual(final);

    await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'And now?' } }));
    const prompt = JSON.stringify(mock.doStreamCalls[2]!.prompt);
    expect(prompt).toContain('call-1');
    expect(prompt).toContain('No such city: Atlantis');
  });
});
