/**
 * Rules of the client that a scripted server shows best: what it does with a history answer without a cursor, a
 * stop answer that is not the stopped reply, events after the final one, a conversation deleted elsewhere, a live
 * resume from the cached event id and its fallbacks, and every promise settling on `close()`. The server here is a
 * `fetch` serving exact protocol bytes (the live route is not in this Worker yet); the Worker-facing rules are in
 * client-rules-worker.test.ts.
 */
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { ChatClient } from '../../sdk/chat-client';
import type { ChatClientOptions } from '../../sdk/chat-client-options';
import type { ChatMessage } from '../../sdk/protocol';
import type { TabMessage } from '../../sdk/tabs';
import { idbStorage } from '../../sdk/storage/idb-storage';
import { closedAfterEach, recordingChannel } from './support';

const ENDPOINT = 'http://scripted.test/api';
const SESSION = 'scripted-session-01';
const TURN = 'scripted-turn-0001';
const REPLY = `${TURN}_r`;
const AT = Date.now() - 5_000;
const track = closedAfterEach();

const user: ChatMessage = { id: TURN, sessionId: SESSION, role: 'user', content: 'Hello', timestamp: new Date(AT).toISOString(), status: 'complete' };
const streaming: ChatMessage = { id: REPLY, sessionId: SESSION, role: 'assistant', content: '', timestamp: new Date(AT + 1).toISOString(), status: 'streaming', replyTo: TURN };
const frame = (id: number, event: string, data: unknown) => `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const start = frame(1, 'start', { userMessage: user, assistantMessage: streaming });
const delta = (id: number, text: string) => frame(id, 'delta', { id: REPLY, text });
const done = (id: number, content: string) => frame(id, 'done', { message: { ...streaming, content, status: 'complete' } });

/** A body that sends `reads` one per read and then stays open (or closes, with `close`). */
function sseBody(reads: string[], close = true): Response {
  const encoder = new TextEncoder();
  let index = 0;
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        const read = reads[index++];
        if (read !== undefined) return controller.enqueue(encoder.encode(read));
        if (close) return controller.close();
        return new Promise<void>(() => {});
      },
    }),
    { headers: { 'content-type': 'text/event-stream; charset=utf-8' } },
  );
}

interface Script {
  history?: (url: URL) => Response;
  chat?: () => Response | Promise<Response>;
  stream?: (url: URL, headers: Headers) => Response;
  stop?: () => Response | Promise<Response>;
  remove?: () => Response | Promise<Response>;
}
const historyOf = (messages: ChatMessage[], extra: Record<string, unknown> = {}) =>
  Response.json({ sessionId: SESSION, messages, ids: messages.map((m) => m.id), cursor: String(Date.now()), nextPage: null, ...extra });
const notFound = () => Response.json({ error: { code: 'not_found', message: 'no route' } }, { status: 404 });

/** A client on the scripted server; `calls` lists `METHOD path?query` of every request. */
function scripted(script: Script, options: ChatClientOptions = {}) {
  const calls: string[] = [];
  const chat = new ChatClient({
    endpoint: ENDPOINT,
    sessionId: SESSION,
    indexedDB: new IDBFactory(),
    BroadcastChannel: null,
    locks: null,
    onlineEvents: null,
    makeMessageId: () => TURN,
    historyPollBackoff: { baseMs: 10, capMs: 40 },
    stallTimeoutMs: 2_000,
    fetch: async (input, init) => {
      const url = new URL(input);
      const method = init?.method ?? 'GET';
      calls.push(`${method} ${url.pathname}${url.search}`);
      const path = url.pathname.slice('/api'.length);
      if (path === '/history') return method === 'DELETE' ? (script.remove?.() ?? Response.json({ deleted: 0 })) : (script.history ?? (() => historyOf([])))(url);
      if (path === '/chat') return (script.chat ?? (() => new Response(null, { status: 503 })))();
      if (path === '/chat/stream') return (script.stream ?? notFound)(url, new Headers(init?.headers));
      if (path === '/chat/stop') return (script.stop ?? notFound)();
      return notFound();
    },
    ...options,
  });
  return { chat: track(chat), calls };
}

/** Resolves with the outcome of `promise`, or `'pending'` if it has not settled within `ms`. */
const within = <T,>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise.then((value) => ({ value }), (error: unknown) => ({ error })),
    new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms)),
  ]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('history answers', () => {
  it('an answer without a cursor is refused whole: no `since=undefined` is ever sent, and it is reported', async () => {
    const { chat, calls } = scripted({ history: () => historyOf([user], { cursor: undefined }) });
    await chat.ready;
    await chat.sync();
    await chat.sync();
    expect(calls.filter((c) => c.includes('since=undefined'))).toEqual([]);
    expect(chat.getSnapshot().error?.code).toBe('bad_response');
    expect(chat.messages).toEqual([]);
  });
});

describe('every promise settles', () => {
  it('close() while send() follows its reply through history rejects the send with `closed`', async () => {
    // The stream is cut after a delta; the reply stays streaming in history, so the send follows it.
    const { chat } = scripted({
      chat: () => sseBody([start, delta(2, 'Hel')]),
      history: () => historyOf([user, { ...streaming, content: 'Hel' }]),
    });
    await chat.ready;
    const sending = chat.send('Hello');
    await sleep(200);
    expect(chat.status).toBe('streaming');
    chat.close();
    const outcome = await within(sending, 1_000);
    expect(outcome).toMatchObject({ error: { name: 'ChatError', code: 'closed' } });
  });

  it('send(), stop() and clear() called after close() reject with `closed` at once, and touch nothing', async () => {
    const never = () => new Promise<Response>(() => {});
    const { chat, calls } = scripted({ chat: never, remove: never, stop: never });
    await chat.ready;
    await chat.sync();
    const before = calls.length;
    chat.close();
    for (const call of [(): Promise<unknown> => chat.send('Too late'), () => chat.stop(), () => chat.clear()])
      expect(await within(call(), 1_000)).toMatchObject({ error: { name: 'ChatError', code: 'closed' } });
    expect(calls.slice(before)).toEqual([]);
    expect(chat.messages).toEqual([]);
  });

  it('clear() against a Worker that always asks for more deletes settles with an error after a bounded number of calls', async () => {
    let deletes = 0;
    const { chat } = scripted({ remove: () => (deletes++, Response.json({ deleted: 0, more: true })) });
    await chat.ready;
    const outcome = await within(chat.clear(), 5_000);
    expect(outcome).toMatchObject({ error: { code: 'bad_response' } });
    expect(deletes).toBeLessThanOrEqual(100);
  });
});

describe('records from the network are checked before they are shown or stored', () => {
  const stopAnswers: [string, unknown][] = [
    ['a record of another session', { message: { ...streaming, sessionId: 'another-session-1', content: 'Hel', status: 'aborted' } }],
    ['the user turn’s id with role assistant', { message: { ...user, role: 'assistant', content: 'forged', status: 'aborted' } }],
    ['an empty object', {}],
  ];
  for (const [name, answer] of stopAnswers) {
    it(`a stop answer carrying ${name} is refused: nothing of it shown or stored, reported as bad_response`, async () => {
      const factory = new IDBFactory();
      const { chat } = scripted(
        { chat: () => sseBody([start, delta(2, 'Hel')], false), stop: () => Response.json(answer) },
        { indexedDB: factory },
      );
      await chat.ready;
      const sending = chat.send('Hello');
      await sleep(200);
      await chat.stop();
      expect(await within(sending, 1_000)).toMatchObject({ value: { id: REPLY, status: 'aborted', content: 'Hel' } });
      expect(chat.getSnapshot().error?.code).toBe('bad_response');
      const expected = [user, { ...streaming, content: 'Hel', status: 'aborted' }];
      expect(chat.messages).toEqual(expected);
      await sleep(50);
      const stored = idbStorage(factory);
      expect(await stored.load('another-session-1')).toEqual([]);
      expect((await stored.load(SESSION)).sort((a, b) => a.id.localeCompare(b.id))).toEqual(expected);
      stored.close();
    });
  }

  it('a delta after done is ignored: the reply stays complete in memory and in IndexedDB', async () => {
    const factory = new IDBFactory();
    const { chat } = scripted({ chat: () => sseBody([start + delta(2, 'Hi') + done(3, 'Hi') + delta(4, ' again')]) }, { indexedDB: factory });
    await chat.ready;
    const reply = await chat.send('Hello');
    expect(reply).toMatchObject({ status: 'complete', content: 'Hi' });
    await sleep(50);
    expect(chat.messages.find((m) => m.id === REPLY)).toMatchObject({ status: 'complete', content: 'Hi' });
    const stored = idbStorage(factory);
    expect((await stored.load(SESSION)).find((m) => m.id === REPLY)).toMatchObject({ status: 'complete', content: 'Hi' });
    stored.close();
  });
});

describe('a conversation deleted elsewhere', () => {
  it('an `error` event with code conversation_deleted drops the conversation and rejects the send', async () => {
    const factory = new IDBFactory();
    const deleted = { ...streaming, content: 'Hel', status: 'error', error: { code: 'conversation_deleted', message: 'deleted' } };
    const { chat } = scripted(
      { chat: () => sseBody([start + delta(2, 'Hel'), frame(3, 'error', { error: deleted.error, message: deleted })]) },
      { indexedDB: factory },
    );
    await chat.ready;
    const outcome = await within(chat.send('Hello'), 2_000);
    expect(outcome).toMatchObject({ error: { name: 'ChatError', code: 'conversation_deleted' } });
    expect(chat.messages).toEqual([]);
    await sleep(50);
    const stored = idbStorage(factory);
    expect(await stored.load(SESSION)).toEqual([]);
    expect(await stored.outbox(SESSION)).toEqual([]);
    stored.close();
  });

  it('with a Worker that ends no stream on delete, a followed reply gone from history settles the send', async () => {
    let deletedAt = Infinity;
    const { chat } = scripted({
      chat: () => sseBody([start, delta(2, 'Hel')]),
      history: () => (Date.now() < deletedAt ? historyOf([user, { ...streaming, content: 'Hel' }]) : historyOf([])),
    });
    await chat.ready;
    const sending = chat.send('Hello');
    await sleep(150);
    deletedAt = Date.now();
    const outcome = await within(sending, 3_000);
    expect(outcome).toMatchObject({ error: { name: 'ChatError', code: 'conversation_deleted' } });
    expect(chat.messages).toEqual([]);
    await expect.poll(() => chat.status).not.toBe('streaming');
  });
});

describe('following a reply this page did not start', () => {
  /** A cache holding the reply as a checkpoint of event `lastEventId` would: streaming, text through that event. */
  async function cacheWith(content: string, lastEventId?: string): Promise<IDBFactory> {
    const factory = new IDBFactory();
    const seed = idbStorage(factory);
    await seed.put(SESSION, [user, { ...streaming, content, ...(lastEventId && { lastEventId }) } as ChatMessage]);
    await seed.saveSession({ id: SESSION, at: Date.now() });
    seed.close();
    return factory;
  }

  it('resumes live from the last event id the cache holds, shows the reply as streaming, and ends with the whole text', async () => {
    const asked: (string | null)[] = [];
    const factory = await cacheWith('Hello', '2');
    const { chat, calls } = scripted(
      {
        history: () => historyOf([user, { ...streaming, content: 'Hel' }]),
        stream: (url, headers) => {
          asked.push(headers.get('last-event-id'));
          expect(url.searchParams.get('messageId')).toBe(REPLY);
          return sseBody([delta(3, ', world'), delta(4, '!'), done(5, 'Hello, world!')]);
        },
      },
      { indexedDB: factory },
    );
    const seen: string[] = [];
    chat.subscribe(() => {
      const reply = chat.messages.find((m) => m.id === REPLY);
      if (reply) seen.push(`${chat.status} ${reply.status} ${reply.content}`);
    });
    await chat.ready;
    expect(chat.messages.find((m) => m.id === REPLY)?.content).toBe('Hello');
    await expect.poll(() => chat.messages.find((m) => m.id === REPLY)?.status).toBe('complete');
    expect(asked).toEqual(['2']);
    expect(calls.filter((c) => c.startsWith('GET /api/history')).length).toBe(1);
    // Never less than the cache held (history's shorter checkpoint is not taken), streaming while followed.
    expect(seen.every((s) => / Hello/.test(s))).toBe(true);
    expect(seen).toContain('streaming streaming Hello, world');
    expect(chat.messages.find((m) => m.id === REPLY)?.content).toBe('Hello, world!');
  });

  it('without a cached event id, asks from the start and shows nothing shorter than the cache held', async () => {
    const asked: (string | null)[] = [];
    const factory = await cacheWith('Hello');
    const { chat } = scripted(
      {
        history: () => historyOf([user, { ...streaming, content: 'Hello' }]),
        stream: (_url, headers) => {
          asked.push(headers.get('last-event-id'));
          return sseBody([start, delta(3, 'Hello, world'), delta(4, '!') + done(5, 'Hello, world!')]);
        },
      },
      { indexedDB: factory },
    );
    const contents: string[] = [];
    chat.subscribe(() => contents.push(chat.messages.find((m) => m.id === REPLY)?.content ?? ''));
    await chat.ready;
    await expect.poll(() => chat.messages.find((m) => m.id === REPLY)?.status).toBe('complete');
    expect(asked).toEqual([null]);
    expect(contents.every((c) => c.startsWith('Hello'))).toBe(true);
  });

  for (const [name, answer] of [
    ['409 resume_unavailable', () => Response.json({ error: { code: 'resume_unavailable', message: 'follow history' } }, { status: 409 })],
    ['404 from a Worker without the route', notFound],
  ] as const) {
    it(`${name}: follows the reply through history instead, as streaming, to its final record`, async () => {
      const factory = await cacheWith('Hello', '2');
      let reads = 0;
      const { chat, calls } = scripted(
        {
          stream: answer,
          history: () => (++reads < 3 ? historyOf([user, { ...streaming, content: 'Hello, wo' }]) : historyOf([user, { ...streaming, content: 'Hello, world!', status: 'complete' }])),
        },
        { indexedDB: factory },
      );
      const statuses = new Set<string>();
      chat.subscribe(() => statuses.add(chat.status));
      await chat.ready;
      await expect.poll(() => chat.messages.find((m) => m.id === REPLY)?.status).toBe('complete');
      expect(calls.filter((c) => c.startsWith('GET /api/chat/stream'))).toHaveLength(1);
      expect(reads).toBeGreaterThanOrEqual(3);
      expect(statuses.has('streaming')).toBe(true);
    });
  }

  it('stores each checkpoint with its last event id, and writes the text shown on pagehide', async () => {
    const factory = new IDBFactory();
    const page = new EventTarget();
    const { chat } = scripted(
      { chat: () => sseBody([start, delta(2, 'Hel'), delta(3, 'lo')], false) },
      { indexedDB: factory, onlineEvents: page as never, checkpointIntervalMs: 60_000 },
    );
    await chat.ready;
    void chat.send('Hello').catch(() => undefined);
    await expect.poll(() => chat.messages.find((m) => m.id === REPLY)?.content).toBe('Hello');
    page.dispatchEvent(new Event('pagehide'));
    await sleep(50);
    const stored = idbStorage(factory);
    const row = (await stored.load(SESSION)).find((m) => m.id === REPLY) as ChatMessage & { lastEventId?: string };
    expect(row).toMatchObject({ content: 'Hello', status: 'streaming', lastEventId: '3' });
    stored.close();
  });
});

describe('other tabs', () => {
  it('a reply handed from its cut send to a live follow reaches other tabs whole: each record told is the reply so far', async () => {
    const { Channel, posted } = recordingChannel();
    const { chat } = scripted(
      {
        // Cut after three deltas read at one instant: the last is not told yet when the stream breaks.
        chat: () => sseBody([start, delta(2, 'Hel'), delta(3, 'lo'), delta(4, ', ')]),
        stream: () => sseBody([delta(5, 'wor'), delta(6, 'ld'), done(7, 'Hello, world')]),
      },
      { BroadcastChannel: Channel, now: () => AT + 10_000 },
    );
    await chat.ready;
    await chat.sync();
    posted.length = 0;
    const reply = await within(chat.send('Hello'), 2_000);
    expect(reply).toMatchObject({ value: { id: REPLY, status: 'complete', content: 'Hello, world' } });
    // Another tab's copy: each record it is told replaces the one it holds.
    let held = '';
    for (const message of posted) {
      const record = message.put?.find((m) => m.id === REPLY);
      if (record) held = record.content;
      expect('Hello, world'.startsWith(held)).toBe(true);
    }
    expect(held).toBe('Hello, world');
  });

  it('a tab still reading a reply never reopens it where it already shows final', async () => {
    let deliver: ((message: TabMessage) => void) | undefined;
    class Channel {
      set onmessage(handler: (event: { data: TabMessage }) => void) {
        deliver = (data) => handler({ data });
      }
      postMessage() {}
      close() {}
    }
    const final: ChatMessage = { ...streaming, content: 'Hello, world', status: 'complete' };
    const { chat } = scripted(
      { history: () => historyOf([user, final]) },
      { BroadcastChannel: Channel as unknown as typeof BroadcastChannel, now: () => AT + 10_000 },
    );
    await chat.ready;
    await chat.sync();
    expect(chat.messages.find((m) => m.id === REPLY)?.status).toBe('complete');
    deliver!({ put: [{ ...streaming, content: 'Hello' }] });
    expect(chat.messages.find((m) => m.id === REPLY)).toMatchObject({ status: 'complete', content: 'Hello, world' });
  });
});
