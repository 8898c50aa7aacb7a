/**
 * Rules of the client against the real Worker: the outbox sends a turn another tab queued, a subscriber that
 * throws changes nothing, one failed IndexedDB write is retried before memory, and a refused send's error ends
 * with the next success.
 */
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '../../sdk/protocol';
import type { ChatStorage } from '../../sdk/storage/chat-storage';
import { idbStorage } from '../../sdk/storage/idb-storage';
import { closedAfterEach, client, finalReplies, serverHistory, until } from './support';

const track = closedAfterEach();

describe('ChatClient rules against the real Worker', () => {
  it('sends a turn another tab has just queued in the same database, instead of dropping its outbox entry', async () => {
    const factory = new IDBFactory();
    const chat = track(client({ indexedDB: factory, BroadcastChannel: null }));
    await chat.ready;
    await until(chat, () => chat.status === 'idle');
    // Another tab (no BroadcastChannel between them) queues a turn; this page has never shown it.
    const other = idbStorage(factory);
    const queued: ChatMessage = {
      id: '01900000-0000-7000-8000-00000000abcd',
      sessionId: chat.sessionId,
      role: 'user',
      content: 'Queued by another tab',
      timestamp: new Date().toISOString(),
      status: 'pending',
    };
    await other.enqueue(queued);
    await chat.sync();
    await until(chat, (messages) => finalReplies(messages).length === 1, 10_000);
    expect((await serverHistory(chat.sessionId)).map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
    ]);
    expect(await other.outbox(chat.sessionId)).toEqual([]);
    other.close();
  });

  it('a subscriber that throws during the stream changes nothing: the send completes, online, its error re-thrown apart', async () => {
    const rethrown: unknown[] = [];
    vi.stubGlobal('queueMicrotask', (job: () => void) => {
      try {
        job();
      } catch (error) {
        rethrown.push(error);
      }
    });
    try {
      const chat = track(client());
      await chat.ready;
      chat.subscribe(() => {
        if (chat.messages.some((m) => m.role === 'assistant')) throw new Error('render failed');
      });
      const reply = await chat.send('Hello there');
      expect(reply.status).toBe('complete');
      expect(chat.status).not.toBe('offline');
      expect(chat.getSnapshot().error).toBeUndefined();
      expect(rethrown.length).toBeGreaterThan(0);
      expect(rethrown.every((e) => (e as Error).message === 'render failed')).toBe(true);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('one failed IndexedDB write (an AbortError) is retried on a fresh connection: the page stays on IndexedDB', async () => {
    const factory = new IDBFactory();
    const real = idbStorage(factory);
    let failures = 1;
    const flaky: ChatStorage = {
      ...real,
      put: (...args) => (failures-- > 0 ? Promise.reject(new DOMException('aborted', 'AbortError')) : real.put(...args)),
    };
    const fallbacks: unknown[] = [];
    const chat = track(client({ storage: flaky, onStorage: (event) => fallbacks.push(event) }));
    await chat.ready;
    const reply = await chat.send('Keep me on disk');
    expect(failures).toBeLessThan(0);
    expect(chat.getSnapshot().storage).toBe('indexeddb');
    expect(fallbacks).toEqual([]);
    await until(chat, () => chat.status === 'idle');
    expect((await real.load(chat.sessionId)).find((m) => m.id === reply.id)).toEqual(reply);
  });

  it('a refused send’s error is cleared by the next successful send', async () => {
    const chat = track(client());
    await chat.ready;
    await expect(chat.send('x'.repeat(30_000))).rejects.toMatchObject({ code: 'content_too_long' });
    expect(chat.getSnapshot().error?.code).toBe('content_too_long');
    await chat.send('A short one');
    expect(chat.getSnapshot().error).toBeUndefined();
  });
});
