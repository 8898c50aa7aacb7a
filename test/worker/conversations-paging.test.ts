import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ConversationSummary } from '../../sdk/protocol-conversations';
import { conversationsApp, listBody, listRequest, ownerKey, seedIndex } from './support/conversations-app';
import { spyKv, totalOps } from './support/kv-spy';

const T0 = Date.UTC(2026, 5, 1);
const newestFirst = (entries: { summary: ConversationSummary }[]) =>
  entries.map((e) => e.summary).sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));

describe('listing many conversations', () => {
  it('1,500 conversations come sorted newest first in one answer of two KV lists', async () => {
    const owner = ownerKey();
    const seeded = await seedIndex(owner, 1500, T0);
    const spy = spyKv(env.CHAT_KV);
    const body = await listBody(conversationsApp(spy.kv), listRequest(owner));
    expect(body.nextPage).toBeNull();
    expect(body.conversations).toEqual(newestFirst(seeded));
    expect(body.ids).toHaveLength(1500);
    expect(spy.counts).toEqual({ get: 0, put: 0, list: 2, delete: 0 });
  }, 120_000);

  it('pages with nextPage past what one answer lists: every conversation once, ids and summaries alike', async () => {
    const owner = ownerKey();
    const seeded = await seedIndex(owner, 2300, T0);
    const spy = spyKv(env.CHAT_KV);
    const app = conversationsApp(spy.kv, { listCallsPerAnswer: 1 });
    const ids: string[] = [];
    const seen = new Map<string, ConversationSummary>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      spy.reset();
      const body = await listBody(app, listRequest(owner, cursor === null ? {} : { cursor }));
      expect(totalOps(spy)).toBe(1);
      expect(body.ids.length).toBeLessThanOrEqual(1000);
      ids.push(...body.ids);
      for (const c of body.conversations) seen.set(c.sessionId, c);
      cursor = body.nextPage;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(2300);
    expect([...seen.values()].sort((a, b) => a.sessionId.localeCompare(b.sessionId))).toEqual(seeded.map((e) => e.summary));
  }, 120_000);

  it('KV operations to list N = 10, 1,000, 5,000 conversations: ceil(N / 1000)', async () => {
    for (const count of [10, 1000, 5000]) {
      const owner = ownerKey(`n${count}`);
      await seedIndex(owner, count, T0);
      const spy = spyKv(env.CHAT_KV);
      const body = await listBody(conversationsApp(spy.kv), listRequest(owner));
      expect(body.conversations).toHaveLength(count);
      expect(totalOps(spy)).toBe(Math.ceil(count / 1000));
    }
  }, 240_000);
});
