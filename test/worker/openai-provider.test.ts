import { env } from 'cloudflare:workers';
import { describe, expect, inject, it } from 'vitest';
import type { ChatMessage, ChatPart, ErrorEventData } from '../../sdk/protocol';
import { createOpenAiModel, messageKey, modelFromEnv, type ModelMessage, type ModelPiece } from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { uniqueId } from './support/ids';
import { call, chatRequest } from './support/requests';
import { parseSse } from './support/sse';

const baseUrl = inject('openaiBaseUrl');

async function exchange(model: string, apiKey?: string) {
  const worker = chatWorker({
    model: createOpenAiModel({ baseUrl, model, ...(apiKey ? { apiKey } : {}) }),
    modelIdleTimeoutMs: 2000,
    log: () => undefined,
  });
  const sessionId = uniqueId('s');
  const { response, text } = await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
  expect(response.status).toBe(200);
  const { events } = parseSse(text);
  const last = events.at(-1)!;
  const message = (last.data as { message: ChatMessage }).message;
  const stored = await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, message.id), 'json');
  return { events, last, message, stored };
}

describe('openai provider against an OpenAI-compatible server on loopback', () => {
  it('streams a complete reply from chat-completion chunks', async () => {
    const { events, last, message, stored } = await exchange('complete');
    expect(events.filter((e) => e.event === 'delta').map((e) => (e.data as { text: string }).text)).toEqual([
      'Hello',
      ' from',
      ' the fake model',
    ]);
    expect(last.event).toBe('done');
    expect(message.content).toBe('Hello from the fake model');
    expect(stored).toEqual(message);
  });

  it('sends the key as a Bearer token, stream: true and the conversation', async () => {
    const { message } = await exchange('echo-auth', 'sk-test-123');
    expect(message.content).toBe('Bearer sk-test-123 true 1');
  });

  it('keeps the partial text with status error when the stream is cut mid-way', async () => {
    const { last, message, stored } = await exchange('cut');
    expect(last.event).toBe('error');
    expect((last.data as ErrorEventData).error.code).toBe('model_error');
    expect(message).toMatchObject({ status: 'error', content: 'Partial answer' });
    expect(stored).toEqual(message);
  });

  it('ends with model_error on an error status', async () => {
    const { last, message } = await exchange('fail');
    expect(last.event).toBe('error');
    expect((last.data as ErrorEventData).error).toEqual({ code: 'model_error', message: 'The model endpoint answered 500' });
    expect(message).toMatchObject({ status: 'error', content: '' });
  });

  it('times out a server that stops sending, keeping what it sent', async () => {
    const worker = chatWorker({ model: createOpenAiModel({ baseUrl, model: 'silent' }), modelIdleTimeoutMs: 100 });
    const { text } = await call(worker, chatRequest({ sessionId: uniqueId('s'), message: { id: uniqueId('m'), content: 'Hi' } }));
    const last = parseSse(text).events.at(-1);
    expect((last?.data as ErrorEventData).error.code).toBe('model_timeout');
    expect((last?.data as ErrorEventData).message.content).toBe('Before silence');
  });

  it('is what MODEL_PROVIDER=openai builds from the Worker vars', async () => {
    const provider = modelFromEnv({ CHAT_KV: env.CHAT_KV, MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: baseUrl, OPENAI_MODEL: 'complete' });
    expect(provider.name).toBe('openai');
    let text = '';
    for await (const piece of provider.stream({ messages: [{ role: 'user', content: 'Hi' }], signal: new AbortController().signal })) text += piece;
    expect(text).toBe('Hello from the fake model');
  });
});

async function pieces(model: string, messages: ModelMessage[] = [{ role: 'user', content: 'Hi' }]): Promise<ModelPiece[]> {
  const out: ModelPiece[] = [];
  for await (const piece of createOpenAiModel({ baseUrl, model }).stream({ messages, signal: new AbortController().signal })) out.push(piece);
  return out;
}

describe('openai provider: reasoning and earlier tool calls', () => {
  it('streams reasoning_content deltas as reasoning, and one of reasoning_content / reasoning where a chunk has both', async () => {
    expect(await pieces('reasoning')).toEqual([
      { type: 'reasoning', text: 'The user' },
      { type: 'reasoning', text: ' greets me.' },
      'Hello',
      { type: 'reasoning', text: '!' },
      ' there',
    ]);
  });

  it('streams reasoning deltas (the field OpenRouter and Ollama use) as reasoning, empty content skipped', async () => {
    expect(await pieces('reasoning-field')).toEqual([{ type: 'reasoning', text: 'Short' }, { type: 'reasoning', text: ' thought.' }, 'Answer.']);
  });

  it('sends each turn as role and content only, and earlier tool parts as tool_calls and tool messages', async () => {
    const parts: ChatPart[] = [
      { type: 'reasoning', text: 'Ask the clock.' },
      { type: 'text', text: 'Checking. ' },
      { type: 'tool', toolCallId: 'call_1', name: 'get_time', input: { timezone: 'UTC' }, state: 'done', output: { iso: '2026-01-02T03:04:05.000Z' } },
      { type: 'tool', toolCallId: 'call_2', name: 'get_date', input: {}, state: 'error', error: { code: 'aborted', message: 'Stopped' } },
      { type: 'text', text: 'It is 03:04.' },
    ];
    const messages: ModelMessage[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What time is it?' },
      { role: 'assistant', content: 'Checking. It is 03:04.', parts },
      { role: 'assistant', content: 'Plain.', parts: [{ type: 'reasoning', text: 'Hm.' }, { type: 'text', text: 'Plain.' }] },
      { role: 'user', content: 'Thanks' },
    ];
    const [echo] = await pieces('echo-messages', messages);
    expect(JSON.parse(echo as string)).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What time is it?' },
      {
        role: 'assistant',
        content: 'Checking. ',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_time', arguments: '{"timezone":"UTC"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_date', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"iso":"2026-01-02T03:04:05.000Z"}' },
      { role: 'tool', tool_call_id: 'call_2', content: 'Stopped' },
      { role: 'assistant', content: 'It is 03:04.' },
      { role: 'assistant', content: 'Plain.' },
      { role: 'user', content: 'Thanks' },
    ]);
  });
});
