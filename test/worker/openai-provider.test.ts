import { env } from 'cloudflare:workers';
import { describe, expect, inject, it } from 'vitest';
import type { ChatMessage, ErrorEventData } from '../../sdk/protocol';
import { createOpenAiModel, messageKey, modelFromEnv } from '../../worker/index';
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
