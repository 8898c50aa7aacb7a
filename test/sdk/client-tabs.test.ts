import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { ChatClient } from '../../sdk/chat-client';
import { makeSessionId } from '../../sdk/ids';
import { closedAfterEach, client, finalReplies, until } from './support';

const track = closedAfterEach();

describe('ChatClient across reloads and tabs', () => {
  it('a reload shows the cached conversation before history answers', async () => {
    const factory = new IDBFactory();
    const first = track(client({ indexedDB: factory }));
    await first.ready;
    await first.send('Cache me');
    const cached = first.messages;
    first.close();

    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let asked!: () => void;
    const historyAsked = new Promise<void>((r) => (asked = r));
    const holdHistory = async (url: string, init?: RequestInit) => {
      if (url.includes('/api/history')) {
        asked();
        await held;
      }
      return fetch(url, init);
    };
    const reloaded = track(client({ indexedDB: factory, fetch: holdHistory }));
    await reloaded.ready;
    expect(reloaded.messages).toEqual(cached);
    await historyAsked;
    expect(reloaded.status).toBe('syncing');
    expect(reloaded.messages).toEqual(cached);
    release();
    await until(reloaded, () => reloaded.status === 'idle');
    expect(reloaded.messages).toEqual(cached);
  });

  it('two clients on one database stay in step, both ways', async () => {
    const factory = new IDBFactory();
    const sessionId = makeSessionId();
    const a = track(client({ indexedDB: factory, sessionId }));
    const b = track(client({ indexedDB: factory, sessionId }));
    await Promise.all([a.ready, b.ready]);
    const bSawStreaming = until(b, (ms) => ms.some((m) => m.status === 'streaming' && m.content.length > 0));
    const reply = await a.send('From tab A');
    await bSawStreaming;
    await until(b, (ms) => finalReplies(ms).some((m) => m.id === reply.id));
    const second = await b.send('From tab B');
    await until(a, (ms) => finalReplies(ms).some((m) => m.id === second.id));
    expect(a.messages).toEqual(b.messages);
    expect(a.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    // A third client opening the same database later sees the same conversation from the cache alone.
    const c = track(client({ indexedDB: factory, sessionId, fetch: () => new Promise(() => {}) }));
    await c.ready;
    expect(c.messages).toEqual(a.messages);
  });
});
