/**
 * Client faults a hostile probe found: a corrupt row in the cache.
 */
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSessionId } from '../../sdk/ids';
import type { ChatMessage } from '../../sdk/protocol';
import { idbStorage } from '../../sdk/storage/idb-storage';
import { startWorker, type RunningWorker } from '../support/wrangler-dev';
import { closedAfterEach, client } from './support';

let worker: RunningWorker;
beforeAll(async () => {
  worker = await startWorker({ vars: { DEMO_DELAY_MS: '50' } });
});
afterAll(() => worker?.stop());

const track = closedAfterEach();

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
