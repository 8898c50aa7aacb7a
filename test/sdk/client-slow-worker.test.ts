/**
 * Needs replies slow enough to interrupt: its own Worker with the demo model at 50 ms a word.
 */
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatClient } from '../../sdk/chat-client';
import { makeSessionId, uuidv7 } from '../../sdk/ids';
import type { ChatMessage } from '../../sdk/protocol';
import type { ChatStorage } from '../../sdk/storage/chat-storage';
import { idbStorage } from '../../sdk/storage/idb-storage';
import type { Locks } from '../../sdk/tabs';
import { startWorker, type RunningWorker } from '../support/wrangler-dev';
import { closedAfterEach, client, finalReplies, serverHistory, until } from './support';

let worker: RunningWorker;
beforeAll(async () => {
  worker = await startWorker({ vars: { DEMO_DELAY_MS: '50' } });
});
afterAll(() => worker?.stop());

const track = closedAfterEach();
const slow = (options: Parameters<typeof client>[0] = {}) =>
  track(client({ base: worker.origin, historyPollBackoff: { baseMs: 100, capMs: 400 }, ...options }));

/** The reply the deterministic demo model gives `prompt` in a fresh conversation, uninterrupted. */
async function uninterrupted(prompt: string): Promise<string> {
  const chat = slow();
  await chat.ready;
  return (await chat.send(prompt)).content;
}

describe('ChatClient with replies slow enough to interrupt', () => {
  it('a reload mid-stream ends with one complete reply, equal to the uninterrupted one', async () => {
    const prompt = 'Explain how a lighthouse lens works';
    const expected = await uninterrupted(prompt);
    const factory = new IDBFactory();
    const sessionId = makeSessionId();
    const first = slow({ indexedDB: factory, sessionId });
    await first.ready;
    const sending = first.send(prompt);
    await until(first, (ms) => ms.some((m) => m.role === 'assistant' && m.content.split(' ').length > 5));
    first.close(); // the page goes away mid-reply
    // Every promise of a closed client settles.
    await expect(sending).rejects.toMatchObject({ name: 'ChatError', code: 'closed' });

    const reloaded = slow({ indexedDB: factory, sessionId });
    await reloaded.ready;
    const partial = reloaded.messages.find((m) => m.role === 'assistant');
    expect(partial?.status).toBe('streaming');
    // A reply being followed is `streaming`: the page offers Stop, not Send.
    await until(reloaded, () => reloaded.status === 'streaming', 2_000);
    const done = await until(reloaded, (ms) => finalReplies(ms).length === 1);
    expect(done.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(done[1]!.content).toBe(expected);
    const server = await serverHistory(sessionId, worker.origin);
    expect(server.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
    ]);
  });

  it('stop() stops a reply this page follows after a reload: aborted with the text shown, here and on the Worker', async () => {
    const factory = new IDBFactory();
    const sessionId = makeSessionId();
    const first = slow({ indexedDB: factory, sessionId });
    await first.ready;
    const sending = first.send('A long answer about rivers please');
    await until(first, (ms) => ms.some((m) => m.role === 'assistant' && m.content.length > 0));
    first.close();
    await expect(sending).rejects.toMatchObject({ code: 'closed' });
    const reloaded = slow({ indexedDB: factory, sessionId });
    await reloaded.ready;
    await until(reloaded, () => reloaded.status === 'streaming', 2_000);
    await reloaded.stop();
    const shown = reloaded.messages.find((m) => m.role === 'assistant')!;
    expect(shown.status).toBe('aborted');
    await until(reloaded, () => reloaded.status === 'idle');
    const server = (await serverHistory(sessionId, worker.origin)).find((m) => m.role === 'assistant')!;
    expect(server.status).toBe('aborted');
    expect(server.content).toBe(shown.content);
  });

  it('a stream that goes silent is abandoned and the reply followed live through GET /chat/stream', async () => {
    const prompt = 'Describe the water cycle';
    const expected = await uninterrupted(prompt);
    let resumeCalls = 0;
    // Passes the first chunks of the reply through, then nothing: the connection hangs open, silent.
    const stallingFetch = async (url: string, init?: RequestInit) => {
      if (url.includes('/api/chat/stream')) resumeCalls++;
      const res = await fetch(url, init);
      if (!url.endsWith('/api/chat') || !res.body) return res;
      const reader = res.body.getReader();
      let forwarded = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return new Promise<void>(() => {}); // never closes
            if (forwarded++ < 3) return controller.enqueue(value);
          }
        },
      });
      return new Response(body, { status: res.status, headers: res.headers });
    };
    const chat = slow({ fetch: stallingFetch, stallTimeoutMs: 300 });
    await chat.ready;
    await until(chat, () => chat.status === 'idle');
    const errorCodes = new Set<string>();
    chat.subscribe(() => void (chat.getSnapshot().error && errorCodes.add(chat.getSnapshot().error!.code)));
    const reply = await chat.send(prompt);
    // The stall is reported, then the reply followed.
    expect([...errorCodes]).toContain('stalled');
    expect(reply.status).toBe('complete');
    expect(reply.content).toBe(expected);
    expect(resumeCalls).toBeGreaterThan(0);
    expect(finalReplies(chat.messages)).toHaveLength(1);
  });

  it('writes a streamed reply to IndexedDB a bounded number of times, not once per delta', async () => {
    const factory = new IDBFactory();
    const real = idbStorage(factory);
    const writes: ChatMessage[] = [];
    const counting: ChatStorage = {
      ...real,
      put: (sid, list, drops) => {
        writes.push(...list);
        return real.put(sid, list, drops);
      },
    };
    const chat = slow({ storage: counting });
    await chat.ready;
    let deltas = 0;
    let last = '';
    chat.subscribe(() => {
      const a = chat.messages.find((m) => m.role === 'assistant');
      if (a && a.content !== last) (deltas++, (last = a.content));
    });
    const started = Date.now();
    const reply = await chat.send('Tell me a long story about a fox');
    const elapsedMs = Date.now() - started;
    const replyWrites = writes.filter((m) => m.id === reply.id).length;
    expect(deltas).toBeGreaterThan(30);
    // start + at most one checkpoint a second + the final record
    expect(replyWrites).toBeLessThanOrEqual(2 + Math.ceil(elapsedMs / 1_000));
    expect(replyWrites).toBeLessThan(deltas / 5);
    expect((await real.load(chat.sessionId)).find((m) => m.id === reply.id)).toEqual(reply);
    real.close();
  });

  it('a retry of a turn the Worker is still answering attaches to the reply the conversation object runs', async () => {
    const sessionId = makeSessionId();
    const id = uuidv7();
    // Two devices sending the same turn: separate databases, no channel between them.
    class NoChannel {
      onmessage = null;
      postMessage() {}
      close() {}
    }
    const statuses: number[] = [];
    const recording = async (url: string, init?: RequestInit) => {
      const res = await fetch(url, init);
      if (url.endsWith('/api/chat')) statuses.push(res.status);
      return res;
    };
    // Nor a lock: each device is the one sender of its own outbox.
    const ownLock = (): Locks => {
      const held = new Set<string>();
      let queue: Promise<unknown> = Promise.resolve();
      const request = (name: string, options: LockOptions, job: (lock: Lock | null) => Promise<unknown>) => {
        if (options.ifAvailable && held.has(name)) return job(null);
        const run = queue.then(async () => {
          held.add(name);
          try {
            return await job({ name, mode: 'exclusive' });
          } finally {
            held.delete(name);
          }
        });
        queue = run.catch(() => undefined);
        return run;
      };
      return { request: request as Locks['request'] };
    };
    const options = { sessionId, makeMessageId: () => id, BroadcastChannel: NoChannel as unknown as typeof BroadcastChannel };
    const a = slow({ ...options, locks: ownLock() });
    const b = slow({ ...options, locks: ownLock(), fetch: recording });
    await Promise.all([a.ready, b.ready]);
    const first = a.send('The same turn, twice');
    await until(a, (ms) => ms.some((m) => m.role === 'assistant' && m.content.length > 0));
    const second = await b.send('The same turn, twice');
    const reply = await first;
    // The object owns the turn: the copy is answered with the running reply (a Worker on KV alone says 409).
    expect(statuses).toEqual([200]);
    expect(second).toEqual(reply);
    expect(b.messages).toEqual(a.messages);
    const server = await serverHistory(sessionId, worker.origin);
    expect(server.map((m) => m.role)).toEqual(['user', 'assistant']);
  });
});
