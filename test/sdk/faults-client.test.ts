/**
 * Client faults a hostile probe found: a stop before the reply's first byte, a corrupt row in the cache, and an
 * IndexedDB factory given explicitly where IndexedDB's interface globals do not exist.
 */
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChatClient } from '../../sdk/chat-client';
import type { StorageFallbackEvent } from '../../sdk/chat-client-options';
import { makeSessionId } from '../../sdk/ids';
import type { ChatMessage } from '../../sdk/protocol';
import { idbStorage } from '../../sdk/storage/idb-storage';
import { startWorker, type RunningWorker } from '../support/wrangler-dev';
import { closedAfterEach, client, serverHistory, until } from './support';

let worker: RunningWorker;
beforeAll(async () => {
  // Replies slow enough that a stop lands while the model is still talking.
  worker = await startWorker({ vars: { DEMO_DELAY_MS: '50' } });
});
afterAll(() => worker?.stop());

const track = closedAfterEach();

/** `fetch` over a network that takes `ms` before each answer starts. */
const slowNetwork =
  (ms: number) =>
  (url: string, init?: RequestInit): Promise<Response> =>
    new Promise((resolve) => setTimeout(resolve, ms)).then(() => fetch(url, init));

describe('stop() before the reply has sent a byte', () => {
  for (let run = 1; run <= 5; run++)
    it(`run ${run}: send() settles with the aborted reply, nothing stays pending, and the Worker stopped it too`, async () => {
      const chat = track(client({ base: worker.origin, fetch: slowNetwork(150) }));
      await chat.ready;
      const sending = chat.send('Explain how a lighthouse lens works');
      await until(chat, (messages) => messages.some((m) => m.role === 'user') && chat.status === 'streaming');
      await chat.stop();
      const reply = await sending;
      expect(reply).toMatchObject({ role: 'assistant', status: 'aborted' });
      await until(chat, (messages) => messages.every((m) => m.status !== 'pending' && m.status !== 'streaming'));
      const stored = await vi.waitFor(
        async () => {
          const history = await serverHistory(chat.sessionId, worker.origin);
          const final = history.find((m) => m.role === 'assistant');
          if (!final || final.status === 'streaming') throw new Error('reply not final yet');
          return final;
        },
        { timeout: 10_000, interval: 100 },
      );
      expect(stored.status).toBe('aborted');
      expect(chat.messages.find((m) => m.role === 'assistant')?.status).toBe('aborted');
    });
});

describe('a corrupt row in the cache', () => {
  /** A cache holding `row` in the conversation `sessionId`, as an earlier page (or a bug) wrote it. */
  async function cacheWith(sessionId: string, row: Record<string, unknown>): Promise<IDBFactory> {
    const factory = new IDBFactory();
    const storage = idbStorage(factory);
    await storage.put(sessionId, [row as unknown as ChatMessage]);
    await storage.saveSession({ id: sessionId, at: Date.now() });
    storage.close();
    return factory;
  }
  const good = (sessionId: string): ChatMessage => ({
    id: 'cached-turn-1',
    sessionId,
    role: 'user',
    content: 'hello',
    timestamp: new Date().toISOString(),
    status: 'complete',
  });

  it('a record without a timestamp is never shown, and sending still works', async () => {
    const sessionId = makeSessionId();
    const { timestamp: _dropped, ...withoutTime } = good(sessionId);
    const factory = await cacheWith(sessionId, withoutTime);
    const chat = track(client({ base: worker.origin, indexedDB: factory, sessionId }));
    await chat.ready;
    expect(chat.messages.map((m) => m.id)).not.toContain('cached-turn-1');
    const reply = await chat.send('Hello there');
    expect(reply).toMatchObject({ role: 'assistant', status: 'complete' });
  });

  it('a record whose content is an object is never shown', async () => {
    const sessionId = makeSessionId();
    const factory = await cacheWith(sessionId, { ...good(sessionId), content: { html: '<b>x</b>' } });
    const chat = track(client({ base: worker.origin, indexedDB: factory, sessionId }));
    await chat.ready;
    expect(chat.messages.map((m) => m.id)).not.toContain('cached-turn-1');
    expect(chat.messages.every((m) => typeof m.content === 'string')).toBe(true);
  });
});

describe('an IndexedDB factory given explicitly, without IndexedDB globals (node without fake-indexeddb/auto)', () => {
  const names = ['IDBRequest', 'IDBDatabase', 'IDBTransaction', 'IDBObjectStore', 'IDBIndex', 'IDBCursor', 'IDBCursorWithValue', 'indexedDB'];
  const saved = new Map<string, unknown>();
  const globals = globalThis as Record<string, unknown>;
  const removeGlobals = () => {
    for (const name of names) saved.set(name, globals[name]);
    for (const name of names) delete globals[name];
  };
  const restoreGlobals = () => {
    for (const name of names) globals[name] = saved.get(name);
  };

  it('the client keeps the conversation in that factory: a reload shows it again', async () => {
    removeGlobals();
    try {
      const factory = new IDBFactory();
      const sessionId = makeSessionId();
      const events: StorageFallbackEvent[] = [];
      const first = new ChatClient({ endpoint: `${worker.origin}/api`, indexedDB: factory, sessionId, onlineEvents: null, BroadcastChannel: null, onStorage: (event) => events.push(event) });
      await first.ready;
      await first.send('Hello there');
      first.close();
      expect(first.getSnapshot().storage).toBe('indexeddb');
      const reloaded = track(new ChatClient({ endpoint: `${worker.origin}/api`, indexedDB: factory, sessionId, onlineEvents: null, BroadcastChannel: null, fetch: () => Promise.reject(new TypeError('offline')) }));
      await reloaded.ready;
      expect(reloaded.getSnapshot().storage).toBe('indexeddb');
      expect(reloaded.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
      expect(events).toEqual([]);
    } finally {
      restoreGlobals();
    }
  });

  it('a fall back to memory is never silent: onStorage and a console warning name the cause', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const broken = { open: () => { throw new DOMException('denied', 'SecurityError'); } } as unknown as IDBFactory;
      const events: StorageFallbackEvent[] = [];
      const chat = track(client({ base: worker.origin, indexedDB: broken, onStorage: (event) => events.push(event) }));
      await chat.ready;
      expect(chat.getSnapshot().storage).toBe('memory');
      expect(events).toHaveLength(1);
      expect(events[0]!.error.message).toContain('denied');
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]!.join(' '))).toContain('denied');
    } finally {
      warn.mockRestore();
    }
  });
});
