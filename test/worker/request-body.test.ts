import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sessionPrefix } from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { ClientAbortError } from '../../worker/routes/request-body';
import { uniqueId } from './support/ids';
import { call, kvDump, ORIGIN } from './support/requests';
import { scriptedModel } from './support/scripted-model';

function chatBody(sessionId: string): string {
  return JSON.stringify({ sessionId, message: { id: uniqueId('m'), content: 'Grüße, café' } });
}

function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (character) => character.charCodeAt(0));
}

describe('the body is read only as UTF-8', () => {
  it('a body declared in another charset gets 415 unsupported_media_type, and nothing is written', async () => {
    const worker = chatWorker({ model: scriptedModel(['ok']) });
    const sessionId = uniqueId('charset');
    for (const contentType of [
      'application/json; charset=iso-8859-1',
      'application/json;charset=windows-1252',
      'application/json; charset="utf-16"',
      'application/json; charset=UTF-16LE',
    ]) {
      const request = new Request(`${ORIGIN}/api/chat`, { method: 'POST', headers: { 'content-type': contentType }, body: latin1(chatBody(sessionId)) });
      const { response, text } = await call(worker, request);
      expect(response.status, contentType).toBe(415);
      expect(JSON.parse(text), contentType).toMatchObject({ error: { code: 'unsupported_media_type' } });
    }
    expect(await kvDump(sessionPrefix(sessionId), env.CHAT_KV)).toEqual({});
  });

  it('UTF-8 in any spelling of the label, or no charset, is read', async () => {
    const worker = chatWorker({ model: scriptedModel(['ok']) });
    for (const contentType of ['application/json', 'application/json; charset=utf-8', 'Application/JSON; Charset="UTF-8"', 'application/json;charset=utf8']) {
      const request = new Request(`${ORIGIN}/api/chat`, { method: 'POST', headers: { 'content-type': contentType }, body: chatBody(uniqueId('charset')) });
      const { response } = await call(worker, request);
      expect(response.status, contentType).toBe(200);
    }
  });
});

describe('a client that hangs up during its upload', () => {
  it('is logged as a client abort, answered below 500, and nothing is written', async () => {
    const logged: unknown[] = [];
    const worker = chatWorker({ model: scriptedModel(['ok']), log: (error) => logged.push(error) });
    const sessionId = uniqueId('hangup');
    const whole = new TextEncoder().encode(chatBody(sessionId));
    const upload = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(whole.slice(0, 20));
      },
      pull(controller) {
        // The connection breaks after the first bytes, as when the client goes away.
        controller.error(new Error('Network connection lost.'));
      },
    });
    const request = new Request(`${ORIGIN}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: upload });
    const { response, text } = await call(worker, request);
    expect(response.status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'invalid_request' } });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toBeInstanceOf(ClientAbortError);
    expect(logged[0]).toMatchObject({ name: 'ClientAbortError' });
    expect(await kvDump(sessionPrefix(sessionId), env.CHAT_KV)).toEqual({});
  });
});
