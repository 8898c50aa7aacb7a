/**
 * One suite every ChatStorage must pass: the IndexedDB storage and the memory fallback behave the same.
 */
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../sdk/protocol';
import { evictOldest, type ChatStorage } from '../../sdk/storage/chat-storage';

export const message = (sessionId: string, id: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({
  id,
  sessionId,
  role: 'user',
  content: `content of ${id}`,
  timestamp: '2026-01-01T00:00:00.000Z',
  status: 'complete',
  ...extra,
});

const byId = (a: ChatMessage, b: ChatMessage) => (a.id < b.id ? -1 : 1);

export function storageConformance(name: string, make: () => ChatStorage): void {
  describe(`${name} conforms to ChatStorage`, () => {
    it('loads what was put, per session, and an unknown session as empty', async () => {
      const s = make();
      await s.put('s-1', [message('s-1', 'm-1'), message('s-1', 'm-2')]);
      await s.put('s-2', [message('s-2', 'm-1', { content: 'other' })]);
      expect((await s.load('s-1')).sort(byId)).toEqual([message('s-1', 'm-1'), message('s-1', 'm-2')]);
      expect(await s.load('s-2')).toEqual([message('s-2', 'm-1', { content: 'other' })]);
      expect(await s.load('s-3')).toEqual([]);
      s.close();
    });

    it('overwrites by id and deletes the dropped ids of that session only', async () => {
      const s = make();
      await s.put('s-1', [message('s-1', 'm-1'), message('s-1', 'm-2')]);
      await s.put('s-2', [message('s-2', 'm-1')]);
      await s.put('s-1', [message('s-1', 'm-2', { content: 'new' })], ['m-1']);
      expect(await s.load('s-1')).toEqual([message('s-1', 'm-2', { content: 'new' })]);
      expect(await s.load('s-2')).toEqual([message('s-2', 'm-1')]);
      s.close();
    });

    it('returns copies: changing a loaded or put object changes nothing stored', async () => {
      const s = make();
      const m = message('s-1', 'm-1');
      await s.put('s-1', [m]);
      m.content = 'changed after put';
      const [loaded] = await s.load('s-1');
      loaded!.content = 'changed after load';
      expect(await s.load('s-1')).toEqual([message('s-1', 'm-1')]);
      s.close();
    });

    it('enqueue stores the turn and its outbox entry; dequeue removes only the entry', async () => {
      const s = make();
      const a = message('s-1', 'm-1', { status: 'pending' });
      const b = message('s-1', 'm-2', { status: 'pending' });
      await s.enqueue(a);
      await s.enqueue(b);
      await s.enqueue(message('s-2', 'm-3', { status: 'pending' }));
      expect(await s.outbox('s-1')).toEqual(['m-1', 'm-2']);
      expect((await s.load('s-1')).sort(byId)).toEqual([a, b]);
      await s.dequeue('m-1');
      expect(await s.outbox('s-1')).toEqual(['m-2']);
      expect(await s.outbox('s-2')).toEqual(['m-3']);
      expect(await s.load('s-1')).toHaveLength(2);
      s.close();
    });

    it('keeps session records (last use and cursor) and replaces them by id', async () => {
      const s = make();
      await s.saveSession({ id: 's-1', at: 1 });
      await s.saveSession({ id: 's-2', at: 2, cursor: 'c-2' });
      await s.saveSession({ id: 's-1', at: 3, cursor: 'c-1' });
      expect((await s.sessions()).sort((a, b) => a.at - b.at)).toEqual([
        { id: 's-2', at: 2, cursor: 'c-2' },
        { id: 's-1', at: 3, cursor: 'c-1' },
      ]);
      s.close();
    });

    it('drop deletes a session: messages, outbox entries and record, and nothing of another session', async () => {
      const s = make();
      await s.put('s-1', [message('s-1', 'm-1')]);
      await s.enqueue(message('s-1', 'm-2', { status: 'pending' }));
      await s.saveSession({ id: 's-1', at: 1 });
      await s.put('s-2', [message('s-2', 'm-1')]);
      await s.enqueue(message('s-2', 'm-3', { status: 'pending' }));
      await s.saveSession({ id: 's-2', at: 2 });
      await s.drop('s-1');
      expect(await s.load('s-1')).toEqual([]);
      expect(await s.outbox('s-1')).toEqual([]);
      expect((await s.sessions()).map((x) => x.id)).toEqual(['s-2']);
      expect(await s.load('s-2')).toHaveLength(2);
      expect(await s.outbox('s-2')).toEqual(['m-3']);
      s.close();
    });

    it('evictOldest drops the least recently used session, never the kept one nor one with unsent turns', async () => {
      const s = make();
      for (const [id, at] of [['old-unsent', 1], ['old', 2], ['newer', 3], ['current', 0]] as const) {
        await s.put(id, [message(id, `${id}-m`)]);
        await s.saveSession({ id, at });
      }
      await s.enqueue(message('old-unsent', 'unsent', { status: 'pending' }));
      expect(await evictOldest(s, 'current')).toBe(true);
      expect(await s.load('old')).toEqual([]);
      expect(await evictOldest(s, 'current')).toBe(true);
      expect(await s.load('newer')).toEqual([]);
      expect(await evictOldest(s, 'current')).toBe(false);
      expect(await s.load('old-unsent')).toHaveLength(2);
      expect(await s.load('current')).toHaveLength(1);
      s.close();
    });
  });
}
