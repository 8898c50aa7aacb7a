/**
 * IndexedDB failing under a running client (fake-indexeddb; the Worker is the real one): quota exceeded again and
 * again, a newer version of the app upgrading the database, the database deleted underneath. The client keeps
 * working, never evicts unsent turns, and loses nothing the Worker has.
 */
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { StorageFallbackEvent } from '../../sdk/chat-client-options';
import type { ChatStorage } from '../../sdk/storage/chat-storage';
import { idbStorage } from '../../sdk/storage/idb-storage';
import { caughtWarnings, closedAfterEach, client, finalReplies, serverHistory, switchableFetch, until } from './support';

const track = closedAfterEach();

const HOUR_MS = 3_600_000;

/** A conversation written `ageMs` ago: sent in full, or (offline) with its turn still in the outbox. */
async function oldConversation(factory: IDBFactory, ageMs: number, unsent: boolean): Promise<string> {
  const net = switchableFetch();
  net.online = !unsent;
  const chat = track(client({ indexedDB: factory, fetch: net.fetch, now: () => Date.now() - ageMs, sessionId: `old-${ageMs}-${Date.now()}` }));
  await chat.ready;
  await chat.send(unsent ? 'waiting to be sent' : 'sent long ago');
  chat.close();
  return chat.sessionId;
}

/** IndexedDB that refuses writes with QuotaExceededError while it holds more than `maxSessions` conversations. */
function quotaOf(factory: IDBFactory, maxSessions: number): { storage: ChatStorage; refusals: () => number } {
  const real = idbStorage(factory);
  let refusals = 0;
  const guard = async <T>(write: () => Promise<T>): Promise<T> => {
    if ((await real.sessions()).length > maxSessions) {
      refusals++;
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    return write();
  };
  return {
    storage: {
      ...real,
      put: (...args) => guard(() => real.put(...args)),
      enqueue: (...args) => guard(() => real.enqueue(...args)),
    },
    refusals: () => refusals,
  };
}

describe('quota exceeded', () => {
  it('evicts the oldest sent conversations first until the write fits, and never one with unsent turns', async () => {
    const factory = new IDBFactory();
    const oldest = await oldConversation(factory, 3 * HOUR_MS, false);
    const unsent = await oldConversation(factory, 2 * HOUR_MS, true);
    const older = await oldConversation(factory, 1 * HOUR_MS, false);
    const quota = quotaOf(factory, 2);
    const events: StorageFallbackEvent[] = [];
    const chat = track(client({ storage: quota.storage, sessionId: `current-${Date.now()}`, onStorage: (e) => events.push(e) }));
    await chat.ready;
    const reply = await chat.send('Needs room');
    expect(reply.status).toBe('complete');
    expect(quota.refusals()).toBeGreaterThan(0);
    expect(events).toEqual([]);
    expect(chat.getSnapshot().storage).toBe('indexeddb');
    const left = (await idbStorage(factory).sessions()).map((s) => s.id).sort();
    expect(left).toEqual([chat.sessionId, unsent].sort());
    expect(left).not.toContain(oldest);
    expect(left).not.toContain(older);
    expect(await idbStorage(factory).outbox(unsent)).toHaveLength(1);
  });

  it('when nothing more may be evicted, falls back to memory, says so, keeps unsent turns elsewhere, and still sends', async () => {
    const factory = new IDBFactory();
    const unsent = await oldConversation(factory, HOUR_MS, true);
    const quota = quotaOf(factory, 0);
    const warnings = caughtWarnings();
    const events: StorageFallbackEvent[] = [];
    const chat = track(client({ storage: quota.storage, sessionId: `current-${Date.now()}`, onStorage: (e) => events.push(e) }));
    await chat.ready;
    const reply = await chat.send('No room at all');
    expect(reply.status).toBe('complete');
    expect(events.map((e) => [e.storage, e.error.code])).toEqual([['memory', 'storage_unavailable']]);
    expect(warnings()).toEqual([expect.stringContaining('QuotaExceededError')]);
    expect(chat.getSnapshot().storage).toBe('memory');
    expect(await idbStorage(factory).outbox(unsent)).toHaveLength(1);
    expect(finalReplies(chat.messages)).toHaveLength(1);
  });
});

describe('the database changing underneath a running client', () => {
  it('a newer version of the app upgrading the database is not blocked by this client, which keeps working', async () => {
    const factory = new IDBFactory();
    const chat = track(client({ indexedDB: factory }));
    await chat.ready;
    await chat.send('Before the upgrade');

    const blocked: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const request = factory.open('chatkeep', 2);
      request.onblocked = () => blocked.push('blocked');
      request.onupgradeneeded = () => request.result.createObjectStore('added-by-v2');
      request.onsuccess = () => {
        request.result.close();
        resolve();
      };
      request.onerror = () => reject(request.error);
    });
    expect(blocked).toEqual([]);

    const reply = await chat.send('After the upgrade');
    expect(reply.status).toBe('complete');
    expect(finalReplies(chat.messages)).toHaveLength(2);
    const server = await serverHistory(chat.sessionId);
    expect(server.map((m) => m.id)).toEqual(chat.messages.map((m) => m.id));
  });

  it('an upgrade blocked by an old tab that will not close: the client loads at once in memory, says so, and sends', async () => {
    const factory = new IDBFactory();
    const warnings = caughtWarnings();
    const first = track(client({ indexedDB: factory }));
    await first.ready;
    await first.send('Written by the old tab');
    first.close();
    // The old tab: a connection that ignores versionchange, as code written without chatkeep may.
    const stubborn = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open('chatkeep');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    stubborn.onversionchange = null;
    // This page runs a newer schema: its open is an upgrade, which the old tab blocks.
    const newer = {
      open: (name: string, version?: number) => factory.open(name, (version ?? 1) + 1),
      deleteDatabase: (name: string) => factory.deleteDatabase(name),
      cmp: (a: unknown, b: unknown) => factory.cmp(a, b),
      databases: () => factory.databases(),
    } as IDBFactory;
    const events: StorageFallbackEvent[] = [];
    const chat = track(client({ indexedDB: newer, sessionId: first.sessionId, onStorage: (e) => events.push(e) }));
    await chat.ready;
    expect(chat.getSnapshot().storage).toBe('memory');
    expect(events.map((e) => e.error.code)).toEqual(['storage_unavailable']);
    expect(warnings()).toEqual([expect.stringContaining('blocked')]);
    await chat.sync();
    expect(chat.messages.map((m) => m.content)[0]).toBe('Written by the old tab');
    const reply = await chat.send('Sent while blocked');
    expect(reply.status).toBe('complete');
    stubborn.close();
  });

  it('the database deleted while the client runs: deletion is not blocked, sends go on, a reload restores it all from the Worker', async () => {
    const factory = new IDBFactory();
    const chat = track(client({ indexedDB: factory }));
    await chat.ready;
    await chat.send('Before the deletion');
    const blocked: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const request = factory.deleteDatabase('chatkeep');
      request.onblocked = () => blocked.push('blocked');
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error);
    });
    expect(blocked).toEqual([]);

    const reply = await chat.send('After the deletion');
    expect(reply.status).toBe('complete');
    expect(chat.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    chat.close();

    const reloaded = track(client({ indexedDB: factory, sessionId: chat.sessionId }));
    await reloaded.ready;
    await reloaded.sync();
    await until(reloaded, (ms) => finalReplies(ms).length === 2);
    expect(reloaded.messages.map((m) => m.id)).toEqual((await serverHistory(chat.sessionId)).map((m) => m.id));
  });

  it('the database deleted while a turn waits in the outbox: the turn is still sent, exactly once, when the network returns', async () => {
    const factory = new IDBFactory();
    const net = switchableFetch();
    const online = new EventTarget();
    const chat = track(client({ indexedDB: factory, fetch: net.fetch, onlineEvents: online }));
    await chat.ready;
    net.online = false;
    const queued = await chat.send('Queued, then the database vanished');
    expect(queued.status).toBe('pending');
    await new Promise<void>((resolve, reject) => {
      const request = factory.deleteDatabase('chatkeep');
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error);
    });

    net.online = true;
    online.dispatchEvent(new Event('online'));
    await until(chat, (ms) => finalReplies(ms).length === 1 && ms.every((m) => m.status === 'complete'), 10_000);
    const server = await serverHistory(chat.sessionId);
    expect(server.filter((m) => m.role === 'user' && m.content === 'Queued, then the database vanished')).toHaveLength(1);
    expect(server.filter((m) => m.role === 'assistant')).toHaveLength(1);
  });

  it('the database deleted while a turn waits and the network stays down: the turn is queued again, so a reload still sends it', async () => {
    const factory = new IDBFactory();
    const net = switchableFetch();
    net.online = false;
    const chat = track(client({ indexedDB: factory, fetch: net.fetch }));
    await chat.ready;
    const queued = await chat.send('Queued, the database deleted, still offline');
    expect(queued.status).toBe('pending');
    await new Promise<void>((resolve, reject) => {
      const request = factory.deleteDatabase('chatkeep');
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error);
    });

    // The next outbox run (a retry, or this sync) queues the turn again before it tries, and fails, to send it.
    void chat.sync();
    const stored = idbStorage(factory);
    for (let tries = 0; !(await stored.outbox(chat.sessionId)).length; tries++) {
      expect(tries, 'the turn was never queued again').toBeLessThan(250);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    chat.close();
    expect(await stored.outbox(chat.sessionId)).toEqual([queued.id]);
    expect((await stored.load(chat.sessionId)).map((m) => [m.id, m.status])).toEqual([[queued.id, 'pending']]);
    stored.close();

    const reloaded = track(client({ indexedDB: factory, sessionId: chat.sessionId }));
    await reloaded.ready;
    await until(reloaded, (ms) => finalReplies(ms).length === 1 && ms.every((m) => m.status === 'complete'), 10_000);
    const server = await serverHistory(chat.sessionId);
    expect(server.filter((m) => m.role === 'user').map((m) => m.id)).toEqual([queued.id]);
    expect(server.filter((m) => m.role === 'assistant')).toHaveLength(1);
  });
});
