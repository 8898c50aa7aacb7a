/**
 * The client under attack from its server: history answers and reply streams that are malformed, truncated, out of
 * order or about another conversation. Here the server is the thing under test's adversary, so it is a fake `fetch`
 * serving hostile bytes. Whatever it sends, the cache keeps what it had, holds only well-formed records of its own
 * conversation, never loses the turn being sent, and the client says something went wrong.
 */
import { IDBFactory } from 'fake-indexeddb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChatClient } from '../../sdk/chat-client';
import { MESSAGE_STATUSES, ROLES, isValidId, type ChatMessage } from '../../sdk/protocol';
import { idbStorage } from '../../sdk/storage/idb-storage';
import { closedAfterEach } from './support';

const ENDPOINT = 'http://hostile.test/api';
const OTHER = 'someone-elses-session';

let sessionCounter = 0;
const track = closedAfterEach();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One clock reading for the whole file, so a record built twice is built the same. */
const BASE_MS = Date.now();

function record(sessionId: string, id: string, role: 'user' | 'assistant', content: string, ageMs: number, extra: Partial<ChatMessage> = {}): ChatMessage {
  const at = new Date(BASE_MS - ageMs).toISOString();
  return { id, sessionId, role, content, timestamp: at, updatedAt: at, status: 'complete', ...extra };
}

function cachedConversation(sessionId: string): ChatMessage[] {
  return [
    record(sessionId, 'cached-user-01', 'user', 'What is a tide?', 20_000),
    record(sessionId, 'cached-reply-01', 'assistant', 'The sea rising and falling.', 19_000, { replyTo: 'cached-user-01' }),
  ];
}

/** What the server side knows of the client it answers. */
interface Known {
  sessionId: string;
  /** The records seeded into the client's IndexedDB: the server's copy of them is these very records. */
  seeded: ChatMessage[];
  /** The id the client gives the next user turn. */
  turnId: string;
}

type Handler = (url: URL, init: RequestInit | undefined, known: Known) => Response | Promise<Response>;

interface Setting {
  chat: ChatClient;
  sessionId: string;
  cached: ChatMessage[];
  factory: IDBFactory;
  /** The id the client gives the next user turn. */
  turnId: string;
}

/** A client whose IndexedDB already holds a conversation, talking to a server made of `history` and `chat`. */
async function setting(handlers: { history?: Handler; chat?: Handler }): Promise<Setting> {
  const sessionId = `hostile-session-${++sessionCounter}`;
  const factory = new IDBFactory();
  const seed = idbStorage(factory);
  const cached = cachedConversation(sessionId);
  await seed.put(sessionId, cached);
  await seed.saveSession({ id: sessionId, at: Date.now() });
  seed.close();
  const turnId = `turn-${sessionCounter}-00000001`;
  const known: Known = { sessionId, seeded: cached, turnId };
  const chat = new ChatClient({
    endpoint: ENDPOINT,
    sessionId,
    indexedDB: factory,
    BroadcastChannel: null,
    locks: null,
    onlineEvents: null,
    makeMessageId: () => turnId,
    historyPollBackoff: { baseMs: 10, capMs: 40 },
    stallTimeoutMs: 300,
    fetch: async (input, init) => {
      const url = new URL(input);
      if (url.pathname.endsWith('/history')) return (handlers.history ?? benignHistory)(url, init, known);
      if (url.pathname.endsWith('/chat')) return (handlers.chat ?? (() => new Response(null, { status: 503 })))(url, init, known);
      return new Response('{"error":{"code":"not_found","message":"no"}}', { status: 404 });
    },
  });
  track(chat);
  await chat.ready;
  return { chat, sessionId, cached, factory, turnId };
}

function json(body: unknown, status = 200): Response {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** The history an honest server gives: the seeded records. */
const benignHistory: Handler = (_url, _init, { sessionId, seeded }) =>
  json({ sessionId, messages: seeded, ids: seeded.map((m) => m.id), cursor: String(Date.now()), nextPage: null });

function wellFormed(m: ChatMessage, sessionId: string): boolean {
  return (
    isValidId(m.id) &&
    m.sessionId === sessionId &&
    (ROLES as readonly string[]).includes(m.role) &&
    (MESSAGE_STATUSES as readonly string[]).includes(m.status) &&
    typeof m.content === 'string' &&
    !Number.isNaN(Date.parse(m.timestamp)) &&
    (m.replyTo === undefined || isValidId(m.replyTo))
  );
}

/** The cache's invariants, in memory and in IndexedDB. */
async function expectIntact(s: Setting): Promise<void> {
  const stored = await idbStorage(s.factory).load(s.sessionId);
  for (const [where, messages] of [['memory', s.chat.messages], ['IndexedDB', stored]] as const) {
    const bad = messages.filter((m) => !wellFormed(m, s.sessionId));
    expect(bad, `malformed or foreign records in ${where}`).toEqual([]);
    for (const original of s.cached) expect(messages.find((m) => m.id === original.id), `${where} lost ${original.id}`).toEqual(original);
    expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
  }
}

/** `sync()` must settle even against a server that never stops paging. */
async function syncWithin(chat: ChatClient, ms = 3_000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    chat.sync(),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`sync() did not settle within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

describe('a hostile history answer', () => {
  const foreign = (sessionId: string) => [record(OTHER, 'foreign-msg-01', 'user', 'Not yours', 1_000)];
  const cases: { name: string; answer: (sessionId: string, cached: ChatMessage[]) => Response; code?: string }[] = [
    { name: 'an HTML error page with status 200', answer: () => new Response('<html><body>Bad gateway</body></html>', { status: 200, headers: { 'content-type': 'text/html' } }) },
    { name: 'truncated JSON', answer: (sid, cached) => json(JSON.stringify({ sessionId: sid, messages: cached, ids: [], cursor: '1', nextPage: null }).slice(0, 60)) },
    { name: 'an empty object', answer: () => json({}) },
    { name: 'messages that is not an array', answer: (sid) => json({ sessionId: sid, messages: 'lots', ids: 'all', cursor: '1', nextPage: null }) },
    {
      name: 'the history of another conversation',
      answer: () => json({ sessionId: OTHER, messages: foreign(OTHER), ids: ['foreign-msg-01'], cursor: '1', nextPage: null }),
    },
    {
      name: 'records of another conversation inside this one’s answer',
      answer: (sid, cached) => json({ sessionId: sid, messages: [...cached, ...foreign(sid)], ids: [...cached.map((m) => m.id), 'foreign-msg-01'], cursor: '1', nextPage: null }),
    },
    {
      name: 'malformed records: bad ids, roles, statuses, content and timestamps',
      answer: (sid, cached) =>
        json({
          sessionId: sid,
          messages: [
            ...cached,
            { ...record(sid, 'bad:id/../x', 'user', 'key separator', 500) },
            { ...record(sid, 'bad-role-001', 'user', 'system prompt', 500), role: 'system' },
            { ...record(sid, 'bad-status-1', 'user', 'odd status', 500), status: 'hacked' },
            { ...record(sid, 'bad-content1', 'user', '', 500), content: { html: '<script>' } },
            { ...record(sid, 'bad-stamp-01', 'user', 'when?', 500), timestamp: 'yesterday' },
            { id: 'bare-record-1' },
            null,
            42,
          ],
          ids: [...cached.map((m) => m.id), 'bad-role-001'],
          cursor: '1',
          nextPage: null,
        }),
    },
    {
      name: 'a cached record rewritten with another session id and role',
      answer: (sid, cached) => json({ sessionId: sid, messages: cached.map((m) => ({ ...m, sessionId: OTHER, role: 'system', status: 'complete', updatedAt: new Date().toISOString() })), ids: cached.map((m) => m.id), cursor: '1', nextPage: null }),
    },
  ];

  for (const c of cases) {
    it(`${c.name}: the cache keeps its records, takes nothing malformed or foreign, and the client reports it`, async () => {
      let calls = 0;
      const s = await setting({ history: (_url, _init, { sessionId, seeded }) => (calls++, c.answer(sessionId, seeded)) });
      await syncWithin(s.chat);
      expect(calls).toBeGreaterThan(0);
      await expectIntact(s);
      expect(s.chat.getSnapshot().error?.code, 'no error reported').toBeDefined();
      expect(s.chat.status).not.toBe('offline');
    });
  }

  it('a nextPage token served again and again: sync settles after a bounded number of requests and reports it', async () => {
    let calls = 0;
    const s = await setting({
      history: (_url, _init, { sessionId, seeded }) => {
        calls++;
        // Bounded here, so that a client that never stops paging fails this test instead of exhausting memory.
        const nextPage = calls < 50 ? 'same-page-again' : null;
        return json({ sessionId, messages: seeded, ids: seeded.map((m) => m.id), cursor: '1', nextPage });
      },
    });
    await syncWithin(s.chat);
    expect(calls).toBeLessThanOrEqual(3);
    await expectIntact(s);
    expect(s.chat.getSnapshot().error?.code, 'no error reported').toBeDefined();
  });

  it('out-of-order records are shown in timestamp order', async () => {
    const s = await setting({
      history: (_url, _init, { sessionId, seeded }) => {
        const later = record(sessionId, 'later-msg-001', 'user', 'Later', 5_000);
        const earlier = record(sessionId, 'early-msg-001', 'user', 'Earlier', 50_000);
        const messages = [later, ...[...seeded].reverse(), earlier];
        return json({ sessionId, messages, ids: messages.map((m) => m.id), cursor: '1', nextPage: null });
      },
    });
    await syncWithin(s.chat);
    expect(s.chat.messages.map((m) => m.id)).toEqual(['early-msg-001', 'cached-user-01', 'cached-reply-01', 'later-msg-001']);
    await expectIntact(s);
  });
});

/** SSE text for `events`, each `[name, data]`; a string is sent as it is. */
function sse(events: (readonly [string, unknown] | string)[]): string {
  return events.map((e, i) => (typeof e === 'string' ? e : `id: ${i + 1}\nevent: ${e[0]}\ndata: ${typeof e[1] === 'string' ? e[1] : JSON.stringify(e[1])}\n\n`)).join('');
}

function streamResponse(text: string, chunkSizes: number[] = []): Response {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  let i = 0;
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        const size = Math.max(1, chunkSizes[i++ % Math.max(1, chunkSizes.length)] ?? bytes.length);
        controller.enqueue(bytes.slice(offset, offset + size));
        offset += size;
      },
    }),
    { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' } },
  );
}

/** The records an honest server would send for the turn `turnId` of `sessionId`. */
function honest(sessionId: string, turnId: string, content: string) {
  const user = record(sessionId, turnId, 'user', content, 0);
  const streaming = record(sessionId, `reply-${turnId}`, 'assistant', '', -5, { status: 'streaming', replyTo: turnId });
  const done = { ...streaming, content: 'An honest reply.', status: 'complete' as const };
  return { user, streaming, done };
}

/** History that knows the turn once it was posted: what the real Worker would answer after a cut stream. */
function recoveringHistory(posted: () => boolean): Handler {
  return (_url, _init, { sessionId, seeded, turnId }) => {
    const h = honest(sessionId, turnId, 'Hello');
    const messages = posted() ? [...seeded, { ...h.user, status: 'complete' as const }, h.done] : seeded;
    return json({ sessionId, messages, ids: messages.map((m) => m.id), cursor: String(Date.now()), nextPage: null });
  };
}

/** Sends 'Hello' against a chat route answering `stream`, and waits for the client to settle (bounded). */
async function sendAgainst(stream: (h: ReturnType<typeof honest>, sessionId: string) => string, chunkSizes: number[] = [], waitMs = 1_500) {
  let posts = 0;
  const s = await setting({
    history: recoveringHistory(() => posts > 0),
    chat: (_url, _init, { sessionId, turnId }) => {
      posts++;
      const h = honest(sessionId, turnId, 'Hello');
      // A second attempt meets an honest server, as after a proxy's hiccup.
      if (posts > 1)
        return streamResponse(sse([['start', { userMessage: { ...h.user, status: 'complete' }, assistantMessage: h.streaming }], ['delta', { id: h.streaming.id, text: h.done.content }], ['done', { message: h.done }]]));
      return streamResponse(stream(h, sessionId), chunkSizes);
    },
  });
  const errors: unknown[] = [];
  s.chat.subscribe(() => {
    const error = s.chat.getSnapshot().error;
    if (error !== undefined) errors.push(error);
  });
  const outcome = await Promise.race([
    s.chat.send('Hello').then((m) => ({ resolved: m }), (e: unknown) => ({ rejected: e })),
    sleep(waitMs).then(() => ({ pending: true })),
  ]);
  return { s, outcome, errors, posts: () => posts };
}

/** The turn being sent is never lost: it is there once, pending (to be sent again) or acknowledged. */
function expectTurnKept(s: Setting): void {
  const turns = s.chat.messages.filter((m) => m.id === s.turnId);
  expect(turns).toHaveLength(1);
  expect(turns[0]).toMatchObject({ role: 'user', content: 'Hello', sessionId: s.sessionId });
}

describe('a hostile reply stream', () => {
  type Stream = (h: ReturnType<typeof honest>, sessionId: string) => string;
  const start = (h: ReturnType<typeof honest>) => ['start', { userMessage: { ...h.user, status: 'complete' }, assistantMessage: h.streaming }] as const;
  const cases: { name: string; stream: Stream; reported: boolean }[] = [
    { name: 'an HTML page instead of events', stream: () => '<html><body>Gateway timeout</body></html>', reported: true },
    { name: 'start with data that is not JSON', stream: () => sse([['start', '{"userMessage":'], ['done', '{']]), reported: true },
    {
      name: 'start about another conversation',
      stream: (h) => sse([['start', { userMessage: { ...h.user, sessionId: OTHER, status: 'complete' }, assistantMessage: { ...h.streaming, sessionId: OTHER } }], ['delta', { id: h.streaming.id, text: 'x' }], ['done', { message: { ...h.done, sessionId: OTHER } }]]),
      reported: true,
    },
    {
      name: 'start acknowledging a different turn',
      stream: (h) => sse([['start', { userMessage: { ...h.user, id: 'not-my-turn-01', status: 'complete' }, assistantMessage: { ...h.streaming, replyTo: 'not-my-turn-01' } }], ['done', { message: { ...h.done, replyTo: 'not-my-turn-01' } }]]),
      reported: true,
    },
    { name: 'done before start', stream: (h) => sse([['done', { message: h.done }], start(h), ['delta', { id: h.streaming.id, text: 'late' }]]), reported: true },
    {
      name: 'done for another reply id and session',
      stream: (h) => sse([start(h), ['delta', { id: h.streaming.id, text: 'An ' }], ['done', { message: { ...h.done, id: 'hijacked-reply', sessionId: OTHER } }]]),
      reported: true,
    },
    {
      name: 'a malformed final record',
      stream: (h) => sse([start(h), ['done', { message: { ...h.done, id: 'bad:id', role: 'system', status: 'hacked', content: 7 } }]]),
      reported: true,
    },
    { name: 'a stream cut in the middle of an event', stream: (h) => sse([start(h), ['delta', { id: h.streaming.id, text: 'An ' }]]) + 'event: delta\ndata: {"id":"rep', reported: false },
    { name: 'deltas for another id', stream: (h) => sse([start(h), ['delta', { id: 'someone-else', text: 'injected' }], ['delta', { id: h.streaming.id, text: h.done.content }], ['done', { message: h.done }]]), reported: false },
  ];

  for (const c of cases) {
    it(`${c.name}: the cache keeps its records and the turn, takes nothing malformed or foreign${c.reported ? ', and the client reports it' : ''}`, async () => {
      const { s, outcome, errors } = await sendAgainst(c.stream, [7, 13, 64]);
      // send() settles: with the reply, with the turn queued for another try, or with the error.
      expect(outcome).not.toHaveProperty('pending');
      await expectIntact(s);
      expectTurnKept(s);
      expect(s.chat.messages.some((m) => m.content.includes('injected'))).toBe(false);
      if (c.reported) expect(errors.length > 0 || 'rejected' in outcome, 'nothing reported').toBe(true);
    });
  }

  it('random event sequences, cut anywhere: the cache stays well-formed, its records and the turn kept', async () => {
    type H = ReturnType<typeof honest>;
    const blocks: ((h: H) => readonly [string, unknown] | string)[] = [
      start,
      (h) => ['start', { userMessage: { ...h.user, sessionId: OTHER }, assistantMessage: { ...h.streaming, sessionId: OTHER } }],
      (h) => ['delta', { id: h.streaming.id, text: 'piece ' }],
      (h) => ['delta', { id: h.streaming.id }],
      () => ['delta', { id: 'another-reply', text: 'injected' }],
      (h) => ['done', { message: h.done }],
      (h) => ['done', { message: { ...h.done, sessionId: OTHER } }],
      (h) => ['done', { message: { ...h.done, id: 'x:y' } }],
      (h) => ['error', { error: { code: 'model_error', message: 'boom' }, message: { ...h.done, status: 'error' } }],
      () => ['error', { error: 'nope' }],
      () => ['start', '{"broken'],
      () => ['delta', 'null'],
      () => ['done', '[]'],
      () => ': ping\n\n',
      () => 'data: orphan data\n\n',
      () => 'retry: -5\nevent: \ndata:\n\n',
      () => '\r\n\r\n',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(blocks.length - 1), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 5 }),
        fc.nat(400),
        async (picks, chunks, cut) => {
          const { s, outcome } = await sendAgainst(
            (h) => {
              const text = sse(picks.map((p) => blocks[p]!(h)));
              return text.slice(0, Math.max(1, text.length - cut));
            },
            chunks,
            1_500,
          );
          expect(outcome).not.toHaveProperty('pending');
          await expectIntact(s);
          expectTurnKept(s);
          s.chat.close();
        },
      ),
      { numRuns: 25 },
    );
  });
});
