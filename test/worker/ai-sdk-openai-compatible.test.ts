// aiSdkModel with a provider package the AI SDK keeps, @ai-sdk/openai-compatible, against the fake server on
// loopback answering a reasoning model's tool loop from fixed chunk files (support/recorded-tool-loop.ts): through
// the real Worker and its conversation object, the client's SSE and the persisted record hold the same parts.
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { jsonSchema, tool } from 'ai';
import { env } from 'cloudflare:workers';
import { describe, expect, inject, it } from 'vitest';
import type { ChatMessage, DoneEventData } from '../../sdk/protocol';
import { aiSdkModel } from '../../worker/ai-sdk';
import { messageKey } from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { uniqueId } from './support/ids';
import { call, chatRequest } from './support/requests';
import { parseSse } from './support/sse';

const CALL_ID = 'call_0_8c1e2d5b';
const provider = createOpenAICompatible({ name: 'recorded', baseURL: inject('openaiBaseUrl'), includeUsage: true });
const executed: unknown[] = [];
const tools = {
  get_weather: tool({
    description: 'The weather in a city',
    inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
    execute: async (input) => {
      executed.push(input);
      return { city: input.city, celsius: 21 };
    },
  }),
};

function worker() {
  return chatWorker({ model: aiSdkModel({ model: provider.chatModel('recorded-tool-loop'), tools, maxRetries: 0 }), log: () => undefined });
}

async function turn(chat: ReturnType<typeof worker>, sessionId: string, content: string) {
  const { response, text } = await call(chat, chatRequest({ sessionId, message: { id: uniqueId('m'), content } }));
  expect(response.status).toBe(200);
  const { events } = parseSse(text);
  const final = (events.at(-1)?.data as DoneEventData).message;
  return { events, final, stored: await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, final.id), 'json') };
}

describe('aiSdkModel over @ai-sdk/openai-compatible, through the Worker', () => {
  it('streams the reasoning, the tool call and its result, then the text, and persists them as the reply’s parts', async () => {
    executed.length = 0;
    const sessionId = uniqueId('s');
    const { events, final, stored } = await turn(worker(), sessionId, 'Weather in Paris?');
    const replyId = final.id;
    expect(events.map((event) => [event.id, event.event, event.data])).toEqual([
      ['1', 'start', expect.anything()],
      ['2', 'reasoning', { id: replyId, text: 'The user asks' }],
      ['3', 'reasoning', { id: replyId, text: ' about Paris.' }],
      ['4', 'reasoning', { id: replyId, text: ' I should call get_weather.' }],
      ['5', 'tool-call', { id: replyId, toolCallId: CALL_ID, name: 'get_weather', input: { city: 'Paris' } }],
      ['6', 'tool-result', { id: replyId, toolCallId: CALL_ID, output: { city: 'Paris', celsius: 21 } }],
      ['7', 'delta', { id: replyId, text: 'It is ' }],
      ['8', 'delta', { id: replyId, text: '21 °C' }],
      ['9', 'delta', { id: replyId, text: ' in Paris.' }],
      ['10', 'done', { message: final }],
    ]);
    expect(executed).toEqual([{ city: 'Paris' }]);
    expect(final).toMatchObject({
      status: 'complete',
      content: 'It is 21 °C in Paris.',
      parts: [
        { type: 'reasoning', text: 'The user asks about Paris. I should call get_weather.' },
        { type: 'tool', toolCallId: CALL_ID, name: 'get_weather', input: { city: 'Paris' }, state: 'done', output: { city: 'Paris', celsius: 21 } },
        { type: 'text', text: 'It is 21 °C in Paris.' },
      ],
    });
    expect(stored).toEqual(final);
  });

  it('sends the next turn the earlier call and result as OpenAI tool messages, without the reasoning', async () => {
    const chat = worker();
    const sessionId = uniqueId('s');
    await turn(chat, sessionId, 'Weather in Paris?');
    // The server answers a later turn with the messages it was sent.
    const { final } = await turn(chat, sessionId, 'Is that warm?');
    const sent = JSON.parse(final.content) as { role: string; content?: unknown; tool_calls?: unknown; tool_call_id?: string }[];
    expect(sent.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user']);
    expect(sent[1]).toMatchObject({ tool_calls: [{ id: CALL_ID, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] });
    expect(sent[2]).toEqual({ role: 'tool', tool_call_id: CALL_ID, content: '{"city":"Paris","celsius":21}' });
    expect(sent[3]).toMatchObject({ content: 'It is 21 °C in Paris.' });
    expect(JSON.stringify(sent)).not.toContain('I should call get_weather');
  });
});
