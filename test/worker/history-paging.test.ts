import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, HistoryResponseBody } from '../../sdk/protocol';
import { messageKey } from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { uniqueId } from './support/ids';
import { spyKv, totalOps } from './support/kv-spy';
import { call, historyRequest } from './support/requests';
import { conversation, seed } from './support/seed';

const T0 = Date.UTC(2026, 5, 1);
/** Too long for list metadata: each record costs a read, so a page ends inside one KV list. */
const large = (i: number) => `${i}:`.padEnd(1500, 'large ');

async function page(worker: ReturnType<typeof chatWorker>, sessionId: string, cursor: string | null): Promise<HistoryResponseBody> {
  const { response, text } = await call(worker, historyRequest({ sessionId, ...(cursor ? { cursor } : {}) }));
  expect(response.status, text).toBe(200);
  return JSON.parse(text) as HistoryResponseBody;
}

describe('paged history while keys disappear between pages', () => {
  it('every key present for the whole read is returned, in ids and in messages, whatever is deleted between pages', async () => {
    const sessionId = uniqueId('paging');
    const seeded = conversation(sessionId, 1500, T0, large);
    await seed(seeded);
    const spy = spyKv(env.CHAT_KV);
    const worker = chatWorker({ kv: spy.kv });

    const deleted = new Set<string>();
    const ids: string[] = [];
    const messages = new Map<string, ChatMessage>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      spy.reset();
      const body: HistoryResponseBody = await page(worker, sessionId, cursor);
      expect(totalOps(spy)).toBeLessThan(1000);
      ids.push(...body.ids);
      for (const message of body.messages) messages.set(message.id, message);
      cursor = body.nextPage;
      pages++;
      // Between pages, records already returned go away (deleted, or expired): the last one this page returned,
      // and a spread of earlier ones. Keys after it must not shift out of the next page.
      const returned = body.ids.filter((id) => !deleted.has(id));
      const going = [returned.at(-1), ...returned.filter((_, index) => index % 97 === 3)].filter((id) => id !== undefined);
      for (const id of going) {
        await env.CHAT_KV.delete(messageKey(sessionId, id));
        deleted.add(id);
      }
    } while (cursor !== null && pages < 10);

    expect(pages).toBeGreaterThanOrEqual(3);
    expect(deleted.size).toBeGreaterThan(10);
    // Nothing was deleted before it was returned, so every seeded record was present when its page was read.
    expect(ids).toEqual(seeded.map((message) => message.id));
    expect(messages.size).toBe(seeded.length);
    expect(messages.get('msg-000960')?.content).toBe(large(960));
  }, 120_000);

  it('a page resumes after the last key it returned even when that key and the ones before it are gone', async () => {
    const sessionId = uniqueId('paging');
    const seeded = conversation(sessionId, 1000, T0, large);
    await seed(seeded);
    const worker = chatWorker();

    const first = await page(worker, sessionId, null);
    expect(first.nextPage).not.toBeNull();
    const rest = seeded.slice(first.ids.length).map((message) => message.id);
    expect(rest.length).toBeGreaterThan(0);
    // Every key the first page returned expires before the second is read.
    await Promise.all(first.ids.map((id) => env.CHAT_KV.delete(messageKey(sessionId, id))));

    const second = await page(worker, sessionId, first.nextPage);
    expect(second.ids).toEqual(rest);
    expect(second.messages.map((message) => message.id)).toEqual(rest);
    expect(second.nextPage).toBeNull();
  }, 120_000);
});
