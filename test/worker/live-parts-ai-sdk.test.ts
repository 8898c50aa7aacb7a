// aiSdkModel through the conversation object: a tool whose execute throws is an error part and the reply goes on;
// the record holds both, and the follow-up turn gives the failed call back to the model.
import { env } from 'cloudflare:workers';
import { jsonSchema, tool } from 'ai';
import { convertArrayToReadableStream, MockLanguageModelV4 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, DoneEventData } from '../../sdk/protocol';
import { aiSdkModel } from '../../worker/ai-sdk';
import { messageKey } from '../../worker/index';
import { open } from './support/event-reader';
import { uniqueId } from './support/ids';
import { call, chatRequest } from './support/requests';
import { chatWorker } from './support/chat-worker';

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

describe('aiSdkModel through the conversation object', () => {
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
