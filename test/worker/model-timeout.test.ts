import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, ErrorEventData } from '../../sdk/protocol';
import { messageKey } from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { uniqueId } from './support/ids';
import { call, chatRequest } from './support/requests';
import { scriptedModel } from './support/scripted-model';
import { parseSse } from './support/sse';

describe('a model that falls silent', () => {
  it('is cut off after modelIdleTimeoutMs: the reply ends error / model_timeout with its text kept', async () => {
    const worker = chatWorker({ model: scriptedModel(['Some ', 'words', { hang: true }, 'never']), modelIdleTimeoutMs: 50 });
    const sessionId = uniqueId('s');
    const { text } = await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
    const last = parseSse(text).events.at(-1);
    expect(last?.event).toBe('error');
    const data = last?.data as ErrorEventData;
    expect(data.error.code).toBe('model_timeout');
    expect(data.message).toMatchObject({ status: 'error', content: 'Some words', error: { code: 'model_timeout' } });
    expect(await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, data.message.id), 'json')).toEqual(data.message);
  });
});
