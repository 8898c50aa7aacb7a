import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidId, REPLY_ID_SUFFIX, type ChatMessage, type HistoryResponseBody } from '../../sdk/protocol';
import { sessionPrefix } from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { replyIdFor } from '../../worker/conversation/reply-id';
import { uniqueId } from './support/ids';
import { call, chatRequest, historyRequest, kvDump } from './support/requests';
import { scriptedModel } from './support/scripted-model';

describe('user turn ids and reply ids are disjoint by construction', () => {
  it('a user turn whose id ends with the reply suffix is refused with 400 invalid_message_id, and nothing is written', async () => {
    const worker = chatWorker({ model: scriptedModel(['ok']) });
    const sessionId = uniqueId('suffix');
    for (const id of ['abcdefgh_r', `${'x'.repeat(126)}_r`]) {
      const { response, text } = await call(worker, chatRequest({ sessionId, message: { id, content: 'Hello' } }));
      expect(response.status).toBe(400);
      expect(JSON.parse(text)).toMatchObject({ error: { code: 'invalid_message_id' } });
    }
    expect(await kvDump(sessionPrefix(sessionId), env.CHAT_KV)).toEqual({});
  });

  it('`abcdefgh_r` and `abcdefgh` sent at once, 20 times: the acknowledged user turn is never destroyed', async () => {
    const worker = chatWorker({ model: scriptedModel(['Answer']) });
    for (let run = 0; run < 20; run++) {
      const sessionId = uniqueId('race');
      const [suffixed, plain] = await Promise.all([
        call(worker, chatRequest({ sessionId, message: { id: 'abcdefgh_r', content: 'Suffixed' } })),
        call(worker, chatRequest({ sessionId, message: { id: 'abcdefgh', content: 'Plain' } })),
      ]);
      expect(suffixed.response.status).toBe(400);
      expect(plain.response.status).toBe(200);
      const { text } = await call(worker, historyRequest({ sessionId }));
      const messages = (JSON.parse(text) as HistoryResponseBody).messages;
      expect(messages.map((m: ChatMessage) => [m.id, m.role, m.content])).toEqual([
        ['abcdefgh', 'user', 'Plain'],
        ['abcdefgh_r', 'assistant', 'Answer'],
      ]);
    }
  });

  it('an app id maker that makes an id in the reply id space fails the older prompt form, and nothing is written', async () => {
    const worker = chatWorker({ model: scriptedModel(['ok']), newId: () => 'made-by-app_r', log: () => undefined });
    const sessionId = uniqueId('newid');
    const { response } = await call(worker, chatRequest({ sessionId, prompt: 'Hello' }));
    expect(response.status).toBe(500);
    expect(await kvDump(sessionPrefix(sessionId), env.CHAT_KV)).toEqual({});
  });

  it('every reply id ends with the suffix, for user ids of every valid length', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9_-]{8,128}$/), async (userId) => {
        fc.pre(!userId.endsWith(REPLY_ID_SUFFIX));
        const replyId = await replyIdFor(userId);
        expect(isValidId(replyId)).toBe(true);
        expect(replyId.endsWith(REPLY_ID_SUFFIX)).toBe(true);
        expect(replyId).not.toBe(userId);
      }),
      { numRuns: 300 },
    );
    expect(await replyIdFor('a'.repeat(128))).toMatch(/_r$/);
    expect(await replyIdFor('a'.repeat(127))).toMatch(/_r$/);
  });
});
