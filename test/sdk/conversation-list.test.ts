import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { ConversationList, type ConversationListOptions } from '../../sdk/conversations/conversation-list';
import { listTables } from '../../sdk/conversations/list-tables';
import { ChatClient } from '../../sdk/chat-client';
import { origin, switchableFetch } from './support';

const open: ConversationList[] = [];
afterEach(() => open.splice(0).forEach((l) => l.close()));

function list(options: ConversationListOptions = {}): ConversationList {
  const made = new ConversationList({ endpoint: `${origin()}/api`, indexedDB: new IDBFactory(), onlineEvents: new EventTarget(), locks: null, ...options });
  open.push(made);
  return made;
}

const titles = (l: ConversationList) => l.conversations.map((c) => c.title);

describe('ConversationList against the Worker', () => {
  it('makes and remembers an owner key, sends it, and reaches idle with the server’s (empty) list', async () => {
    const net = switchableFetch();
    const factory = new IDBFactory();
    const first = list({ indexedDB: factory, fetch: net.fetch });
    await first.ready;
    expect(first.ownerKey).toMatch(/^[0-9a-f]{32}$/);
    await first.sync();
    expect(first.status).toBe('idle');
    expect(first.online).toBe(true);
    first.close();
    const again = list({ indexedDB: factory, fetch: net.fetch });
    await again.ready;
    expect(again.ownerKey).toBe(first.ownerKey);
  });

  it('a change whose write lands after close() tells no tab and throws nothing', async () => {
    const l = list({ BroadcastChannel });
    await l.ready;
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => void rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      l.create('Closed at once');
      l.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    expect(rejections).toEqual([]);
  });

  it('offline: create, rename and remove work at once; back online the removal is sent once, and it all survives a reload', async () => {
    const net = switchableFetch();
    const factory = new IDBFactory();
    const online = new EventTarget();
    const l = list({ indexedDB: factory, fetch: net.fetch, onlineEvents: online });
    await l.sync();
    net.online = false;
    const kept = l.create('Draft');
    const dropped = l.create('Mistake');
    await l.rename(kept, '  Bread plans ');
    await l.remove(dropped);
    expect(titles(l)).toEqual(['Bread plans']);
    expect(l.status).toBe('offline');
    expect(l.online).toBe(false);

    net.calls.length = 0;
    net.online = true;
    online.dispatchEvent(new Event('online'));
    await l.sync();
    await l.sync();
    expect(net.calls.filter((c) => c.startsWith('DELETE'))).toEqual(['DELETE /api/history']);
    // A conversation with no turn yet is not on the server: its rename stays here and is not sent.
    expect(net.calls.filter((c) => c.startsWith('PATCH'))).toEqual([]);
    expect(l.conversations.map((c) => c.sessionId)).toEqual([kept]);
    l.close();

    const reloaded = list({ indexedDB: factory, fetch: () => new Promise<Response>(() => undefined) });
    await reloaded.ready;
    expect(titles(reloaded)).toEqual(['Bread plans']);
  });

  it('ready from the cache without waiting on the network', async () => {
    const factory = new IDBFactory();
    const l = list({ indexedDB: factory, ownerKey: 'owner-key-of-at-least-22' });
    await l.ready;
    l.create('Cached');
    await new Promise((r) => setTimeout(r, 20));
    l.close();
    const offline = list({ indexedDB: factory, ownerKey: 'owner-key-of-at-least-22', fetch: () => new Promise<Response>(() => undefined) });
    await offline.ready;
    expect(titles(offline)).toEqual(['Cached']);
  });

  it('a conversation the server no longer lists (deleted on another device) leaves at the next sync', async () => {
    const factory = new IDBFactory();
    const owner = 'owner-key-of-another-device';
    const at = new Date().toISOString();
    const summary = { sessionId: 'gone-elsewhere-1', title: 'Old', createdAt: at, updatedAt: at, messageCount: 2 };
    const tables = listTables(factory);
    await tables.write([['conversations', { id: `c:${owner}:${summary.sessionId}`, owner, summary }]]);
    tables.close();
    const l = list({ indexedDB: factory, ownerKey: owner });
    await l.ready;
    expect(titles(l)).toEqual(['Old']);
    await l.sync();
    expect(titles(l)).toEqual([]);
  });

  it('two tabs on one database stay in step', async () => {
    const factory = new IDBFactory();
    const ownerKey = 'owner-key-of-two-tabs-01';
    const a = list({ indexedDB: factory, ownerKey, BroadcastChannel });
    const b = list({ indexedDB: factory, ownerKey, BroadcastChannel });
    await Promise.all([a.ready, b.ready]);
    const seen = new Promise<void>((resolve) => b.subscribe(() => b.conversations.length === 1 && resolve()));
    const id = a.create('From tab A');
    await seen;
    expect(b.conversations.map((c) => c.sessionId)).toEqual([id]);
    const gone = new Promise<void>((resolve) => b.subscribe(() => b.conversations.length === 0 && resolve()));
    await a.remove(id);
    await gone;
  });
});

describe('a conversation removed on another device', () => {
  it('reaches a ChatClient open on it here: forgotten (messages, cache), its error conversation_deleted', async () => {
    const ownerKey = 'owner-key-remote-delete-01';
    const withOwner = (url: string, init: RequestInit = {}) =>
      fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-chatkeep-owner': ownerKey } });
    const here = new IDBFactory();
    const hereList = list({ indexedDB: here, ownerKey, BroadcastChannel });
    await hereList.ready;
    const sessionId = hereList.create('Soon gone');
    const chat = new ChatClient({ endpoint: `${origin()}/api`, sessionId, indexedDB: here, fetch: withOwner, onlineEvents: new EventTarget() });
    try {
      await chat.ready;
      await chat.send('Hello from here');
      expect(chat.messages).toHaveLength(2);
      await hereList.sync();
      expect(hereList.conversations.map((c) => c.sessionId)).toContain(sessionId);

      const there = list({ ownerKey });
      await there.sync();
      expect(there.conversations.map((c) => c.sessionId)).toContain(sessionId);
      await there.remove(sessionId);

      const told = new Promise<void>((resolve) => chat.subscribe(() => chat.getSnapshot().error?.code === 'conversation_deleted' && resolve()));
      await hereList.sync();
      await told;
      expect(hereList.conversations.map((c) => c.sessionId)).not.toContain(sessionId);
      expect(chat.messages).toEqual([]);
    } finally {
      chat.close();
    }
    // Nothing of it is left in this device's cache either.
    const reloaded = new ChatClient({ endpoint: 'http://127.0.0.1:9/api', sessionId, indexedDB: here, onlineEvents: null, BroadcastChannel: null });
    try {
      await reloaded.ready;
      expect(reloaded.messages).toEqual([]);
    } finally {
      reloaded.close();
    }
  });
});

describe('ConversationList following a ChatClient', () => {
  it('a sent turn and its reply update the entry at once: title, preview, updatedAt', async () => {
    const factory = new IDBFactory();
    const l = list({ indexedDB: factory, ownerKey: 'owner-key-following-chat1' });
    await l.ready;
    const sessionId = l.create();
    const chat = new ChatClient({ endpoint: `${origin()}/api`, sessionId, indexedDB: factory, onlineEvents: new EventTarget() });
    const stop = l.follow(chat);
    try {
      await chat.ready;
      const reply = await chat.send('How do I bake bread?');
      await new Promise((r) => setTimeout(r, 20));
      const [entry] = l.conversations;
      expect(entry).toMatchObject({ sessionId, title: 'How do I bake bread?', messageCount: 2 });
      expect(entry?.lastMessage).toEqual({ role: 'assistant', status: 'complete', preview: reply.content.replace(/\s+/g, ' ').trim().slice(0, 120).trimEnd() });
      expect(entry?.updatedAt).toBe(reply.updatedAt ?? reply.timestamp);
    } finally {
      stop();
      chat.close();
    }
  });

  it('a first turn the server refuses leaves the entry as it was: the one create() made, or none', async () => {
    const factory = new IDBFactory();
    const l = list({ indexedDB: factory, ownerKey: 'owner-key-refused-turn-01' });
    await l.ready;
    const created = l.create();
    const followed = `${created.slice(0, 24)}beside`;
    const tooLong = 'word '.repeat(4_001);
    for (const sessionId of [created, followed]) {
      const chat = new ChatClient({ endpoint: `${origin()}/api`, sessionId, indexedDB: factory, onlineEvents: new EventTarget() });
      const stop = l.follow(chat);
      try {
        await chat.ready;
        await expect(chat.send(tooLong)).rejects.toMatchObject({ code: 'content_too_long' });
        expect(chat.messages).toEqual([]);
      } finally {
        stop();
        chat.close();
      }
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(l.conversations.map((c) => [c.sessionId, c.title, c.messageCount])).toEqual([[created, 'New conversation', 0]]);
  });
});
