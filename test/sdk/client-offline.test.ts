import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { ChatClient } from '../../sdk/chat-client';
import { memoryStorage } from '../../sdk/storage/memory-storage';
import type { ChatStorage } from '../../sdk/storage/chat-storage';
import type { StorageFallbackEvent } from '../../sdk/chat-client-options';
import { caughtWarnings, closedAfterEach, client, finalReplies, serverHistory, switchableFetch, until } from './support';

const track = closedAfterEach();

describe('ChatClient offline, lost responses and storage failures', () => {
  it('queues turns sent offline and delivers each exactly once when back online', async () => {
    const net = switchableFetch();
    const online = new EventTarget();
    const factory = new IDBFactory();
    const chat = track(client({ fetch: net.fetch, onlineEvents: online, indexedDB: factory }));
    await chat.ready;
    await until(chat, () => chat.status === 'idle');
    net.online = false;
    const first = await chat.send('First while offline');
    const second = await chat.send('Second while offline');
    expect([first.status, second.status]).toEqual(['pending', 'pending']);
    expect(chat.status).toBe('offline');
    // The queue survives a reload while still offline.
    chat.close();
    const reloaded = track(client({ fetch: net.fetch, onlineEvents: online, indexedDB: factory }));
    await reloaded.ready;
    expect(reloaded.messages.map((m) => [m.content, m.status])).toEqual([
      ['First while offline', 'pending'],
      ['Second while offline', 'pending'],
    ]);
    net.online = true;
    online.dispatchEvent(new Event('online'));
    await until(reloaded, (ms) => finalReplies(ms).length === 2);
    await until(reloaded, () => reloaded.status === 'idle');
    const server = await serverHistory(reloaded.sessionId);
    expect(server.map((m) => [m.role, m.role === 'user' ? m.content : m.status])).toEqual([
      ['user', 'First while offline'],
      ['assistant', 'complete'],
      ['user', 'Second while offline'],
      ['assistant', 'complete'],
    ]);
    expect(reloaded.messages.every((m) => m.status === 'complete')).toBe(true);
  });

  it('after a response lost once the Worker persisted the turn, a retry gives exactly one reply', async () => {
    let lose = true;
    const fetchLosingFirstReply = async (url: string, init?: RequestInit) => {
      const res = await fetch(url, init);
      if (lose && init?.method === 'POST' && url.endsWith('/api/chat')) {
        lose = false;
        await res.text(); // the Worker streamed (and persisted) the whole reply…
        throw new TypeError('network connection was lost'); // …but the browser never saw it
      }
      return res;
    };
    const chat = track(client({ fetch: fetchLosingFirstReply }));
    await chat.ready;
    const queued = await chat.send('Hello once');
    expect(queued.status).toBe('pending');
    await until(chat, (ms) => finalReplies(ms).length === 1 && ms.every((m) => m.status === 'complete'));
    const server = await serverHistory(chat.sessionId);
    expect(server.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(chat.messages.map((m) => m.id)).toEqual(server.map((m) => m.id));
  });

  it('without IndexedDB keeps working in memory and says so', async () => {
    const events: StorageFallbackEvent[] = [];
    const chat = track(client({ indexedDB: null, onStorage: (e) => events.push(e) }));
    await chat.ready;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'storage', storage: 'memory', error: { code: 'storage_unavailable' } });
    expect(chat.getSnapshot().storage).toBe('memory');
    const reply = await chat.send('Hi from a private window');
    expect(reply.status).toBe('complete');
  });

  it('without IndexedDB, turns sent offline are the turns shown pending: each is sent once when back online', async () => {
    const net = switchableFetch();
    const online = new EventTarget();
    const chat = track(client({ fetch: net.fetch, onlineEvents: online, indexedDB: null }));
    await chat.ready;
    await until(chat, () => chat.status === 'idle');
    expect(chat.getSnapshot().storage).toBe('memory');
    net.online = false;
    await chat.send('First, with no storage at all');
    await chat.send('Second, with no storage at all');
    expect(chat.messages.map((m) => m.status)).toEqual(['pending', 'pending']);
    net.online = true;
    online.dispatchEvent(new Event('online'));
    await until(chat, (ms) => finalReplies(ms).length === 2);
    await until(chat, () => chat.status === 'idle');
    // A later round finds nothing pending: nothing is sent twice.
    await chat.sync();
    const server = await serverHistory(chat.sessionId);
    expect(server.map((m) => [m.role, m.role === 'user' ? m.content : m.status])).toEqual([
      ['user', 'First, with no storage at all'],
      ['assistant', 'complete'],
      ['user', 'Second, with no storage at all'],
      ['assistant', 'complete'],
    ]);
    expect(chat.messages.map((m) => m.id)).toEqual(server.map((m) => m.id));
  });

  it('falls back to memory when IndexedDB fails to open, and when it fails mid-session, losing nothing shown', async () => {
    const events: StorageFallbackEvent[] = [];
    const warnings = caughtWarnings();
    const broken = { open: () => { throw new DOMException('denied', 'SecurityError'); } } as unknown as IDBFactory;
    const chat = track(client({ indexedDB: broken, onStorage: (e) => events.push(e) }));
    await chat.ready;
    expect(events.map((e) => e.storage)).toEqual(['memory']);

    let failing = false;
    const inner = memoryStorage();
    const flaky: ChatStorage = new Proxy(inner, {
      get: (target, key: keyof ChatStorage) =>
        failing && key !== 'close' ? () => Promise.reject(new DOMException('gone', 'UnknownError')) : target[key],
    });
    const later: StorageFallbackEvent[] = [];
    const second = track(client({ storage: flaky, onStorage: (e) => later.push(e) }));
    await second.ready;
    await second.send('Before the failure');
    failing = true;
    await second.send('After the failure');
    expect(later).toHaveLength(1);
    // Each fall back says so, naming its cause.
    expect(warnings()).toEqual([expect.stringContaining('denied'), expect.stringContaining('gone')]);
    expect(second.getSnapshot().storage).toBe('memory');
    expect(finalReplies(second.messages)).toHaveLength(2);
  });

  it('on a quota error evicts the oldest other conversation, never one with unsent turns, and keeps IndexedDB', async () => {
    const factory = new IDBFactory();
    const net = switchableFetch();
    // An old conversation with an unsent turn, and an old one fully sent.
    const unsent = track(client({ indexedDB: factory, fetch: net.fetch, now: () => Date.now() - 7_200_000 }));
    await unsent.ready;
    net.online = false;
    await unsent.send('never sent');
    unsent.close();
    net.online = true;
    const sent = track(client({ indexedDB: factory, sessionId: `old-${Date.now()}`, now: () => Date.now() - 3_600_000 }));
    await sent.ready;
    await sent.send('old and sent');
    sent.close();

    const { idbStorage } = await import('../../sdk/storage/idb-storage');
    const real = idbStorage(factory);
    let quota = 1;
    const full: ChatStorage = {
      ...real,
      put: (...args) => (quota-- > 0 ? Promise.reject(new DOMException('full', 'QuotaExceededError')) : real.put(...args)),
    };
    const events: StorageFallbackEvent[] = [];
    const chat = track(client({ storage: full, sessionId: `new-${Date.now()}`, onStorage: (e) => events.push(e) }));
    await chat.ready;
    await chat.send('needs room');
    expect(events).toEqual([]);
    const left = (await real.sessions()).map((s) => s.id);
    expect(left).toContain(unsent.sessionId);
    expect(left).not.toContain(sent.sessionId);
    expect(await real.outbox(unsent.sessionId)).toHaveLength(1);
    real.close();
  });
});
