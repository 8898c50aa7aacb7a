import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { IndexWriter, modelTitle, titleFromModelText } from '../../worker/conversations/index';
import { createTestModel } from '../../worker/testing/test-model';
import { conversationsApp, exchange, listBody, listRequest, ownerKey } from './support/conversations-app';
import { uniqueId } from './support/ids';

const T0 = Date.UTC(2026, 5, 1);

describe("titles: 'model'", () => {
  it('the model writes one title per conversation, after the first reply, from that exchange', async () => {
    const model = createTestModel({ reply: '"Baking Sourdough Bread."' });
    const owner = ownerKey();
    const sessionId = uniqueId('conv');
    const writer = new IndexWriter(env.CHAT_KV, owner, sessionId, { titleModel: model });
    await writer.record(exchange(sessionId, 'how do i bake bread', T0, 2, 'Flour, water, salt'));
    await writer.record(exchange(sessionId, 'and rye?', T0 + 5_000, 4));
    await new IndexWriter(env.CHAT_KV, owner, sessionId, { titleModel: model }).record(exchange(sessionId, 'more', T0 + 9_000, 6));

    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]?.prompt).toContain('how do i bake bread');
    expect(model.calls[0]?.prompt).toContain('Flour, water, salt');
    const [summary] = (await listBody(conversationsApp(), listRequest(owner))).conversations;
    expect(summary?.title).toBe('Baking Sourdough Bread');
  });

  it('a model that fails or says nothing leaves the first turn’s title', async () => {
    const failing = createTestModel();
    failing.failNext();
    const silent = createTestModel({ reply: [] });
    for (const model of [failing, silent]) {
      const owner = ownerKey();
      const sessionId = uniqueId('conv');
      await new IndexWriter(env.CHAT_KV, owner, sessionId, { titleModel: model }).record(exchange(sessionId, 'Plain question', T0));
      const [summary] = (await listBody(conversationsApp(), listRequest(owner))).conversations;
      expect(summary?.title).toBe('Plain question');
    }
  });

  it('a renamed conversation is never retitled by the model', async () => {
    const model = createTestModel({ reply: 'Model Title' });
    const owner = ownerKey();
    const sessionId = uniqueId('conv');
    const writer = new IndexWriter(env.CHAT_KV, owner, sessionId);
    await writer.record(exchange(sessionId, 'First', T0));
    await writer.rename('Mine', new Date(T0 + 1_000).toISOString());
    await new IndexWriter(env.CHAT_KV, owner, sessionId, { titleModel: model }).record(exchange(sessionId, 'Second', T0 + 2_000, 4));
    expect(model.calls).toHaveLength(0);
    const [summary] = (await listBody(conversationsApp(), listRequest(owner))).conversations;
    expect(summary?.title).toBe('Mine');
  });

  it('a model that takes too long is not waited for', async () => {
    const model = createTestModel({ reply: 'Too late' });
    model.hangNext();
    expect(await modelTitle(model, 'question', 'answer', 50)).toBeUndefined();
  });

  it('the model’s words become one line, without quotes, a "Title:" label or a full stop, cut to 60', () => {
    expect(titleFromModelText('Title: "Bread basics."\nMore text')).toBe('Bread basics');
    expect(titleFromModelText('  “Rye”  ')).toBe('Rye');
    expect(titleFromModelText('w'.repeat(80))).toBe('w'.repeat(60));
    expect(titleFromModelText(' \n ')).toBeUndefined();
  });
});
