import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, DoneEventData, ErrorEventData, HistoryResponseBody, StartEventData } from '../../sdk/protocol';
import { messageKey, type ChatWorker } from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { uniqueId } from './support/ids';
import { spyKv, type KvOp } from './support/kv-spy';
import { call, chatRequest, historyRequest, kvDump, stopRequest } from './support/requests';
import { scriptedModel } from './support/scripted-model';
import { seed } from './support/seed';
import { parseSse, type ParsedEvent } from './support/sse';

/** What a failed write of the record `value` is: the user turn, the first reply record, a checkpoint, the final. */
type WriteKind = 'user' | 'placeholder' | 'checkpoint' | 'final';

function writeKind(value: string): WriteKind {
  const record = JSON.parse(value) as ChatMessage;
  if (record.role === 'user') return 'user';
  if (record.status !== 'streaming') return 'final';
  return record.content === '' ? 'placeholder' : 'checkpoint';
}

/** A KV that fails the writes named in `failing` (each as many times as given; `Infinity` for always). */
function faultyKv(failing: Partial<Record<WriteKind, number>>) {
  const spy = spyKv(env.CHAT_KV);
  const left = { ...failing };
  const failed: WriteKind[] = [];
  spy.failWhen((op, _key, value) => {
    if (op !== 'put' || value === undefined) return false;
    const kind = writeKind(value);
    const remaining = left[kind] ?? 0;
    if (remaining <= 0) return false;
    left[kind] = remaining - 1;
    failed.push(kind);
    return true;
  });
  return { spy, failed, heal: () => spy.failWhen(undefined) };
}

interface Exchange {
  status: number;
  contentType: string;
  retryAfter: string | null;
  events: ParsedEvent[];
  text: string;
}

async function exchange(worker: ChatWorker<Cloudflare.Env>, sessionId: string, id: string, content = 'Hello'): Promise<Exchange> {
  const { response, text } = await call(worker, chatRequest({ sessionId, message: { id, content } }));
  const contentType = response.headers.get('content-type') ?? '';
  const retryAfter = response.headers.get('retry-after');
  return { status: response.status, contentType, retryAfter, text, events: contentType.startsWith('text/event-stream') ? parseSse(text).events : [] };
}

async function history(worker: ChatWorker<Cloudflare.Env>, sessionId: string): Promise<HistoryResponseBody> {
  const { text } = await call(worker, historyRequest({ sessionId }));
  return JSON.parse(text) as HistoryResponseBody;
}

/**
 * `kv`, plus a promise that resolves once `count` puts have completed: a model held on it starts streaming only
 * after the user turn and the first reply record are stored, so its pieces are streamed (and checkpointed) rather
 * than buffered until `start`.
 */
function afterPuts(kv: KVNamespace, count: number): { kv: KVNamespace; reached: Promise<void> } {
  let done = 0;
  let release = () => {};
  const reached = new Promise<void>((resolve) => {
    release = resolve;
  });
  const wrapped = new Proxy(kv, {
    get(target, property: keyof KVNamespace) {
      const original = target[property];
      if (property !== 'put' || typeof original !== 'function') return typeof original === 'function' ? original.bind(target) : original;
      return async (...args: Parameters<KVNamespace['put']>) => {
        try {
          return await target.put(...args);
        } finally {
          if (++done === count) release();
        }
      };
    },
  });
  return { kv: wrapped, reached };
}

/** Clock advanced by each model piece, so checkpoints fall due without real waiting. */
function steppingClock(stepMs: number) {
  let clock = Date.UTC(2026, 2, 1);
  return { now: () => clock, tick: () => (clock += stepMs), jump: (ms: number) => (clock += ms) };
}

const PIECES = Array.from({ length: 8 }, (_, i) => `piece${i} `);
const FULL = PIECES.join('');

describe('KV failing at each write of a send', () => {
  it.each<{ write: 'user' | 'placeholder' }>([{ write: 'user' }, { write: 'placeholder' }])(
    'the $write write fails: 503 storage_unavailable with Retry-After and no stream; a retry of the same id stores each turn once',
    async ({ write }) => {
      const faults = faultyKv({ [write]: Infinity });
      const model = scriptedModel(PIECES);
      const worker = chatWorker({ kv: faults.spy.kv, model, log: () => undefined });
      const sessionId = uniqueId('s');
      const userId = uniqueId('m');

      const refused = await exchange(worker, sessionId, userId);
      expect(refused.status).toBe(503);
      expect(refused.contentType).toMatch(/^application\/json/);
      expect(refused.retryAfter).toMatch(/^[1-9]\d*$/);
      expect(JSON.parse(refused.text)).toEqual({ error: { code: 'storage_unavailable', message: expect.any(String) } });
      expect(faults.failed).toContain(write);
      // No reply record is left without its question; a stored question without its reply is fine (the retry answers it).
      const left = Object.values(await kvDump(`message:${sessionId}:`)).map((v) => JSON.parse(v ?? '{}') as ChatMessage);
      expect(left.filter((m) => m.role === 'assistant')).toEqual([]);

      faults.heal();
      const retried = await exchange(worker, sessionId, userId);
      expect(retried.status).toBe(200);
      expect(retried.events.map((e) => e.event)).toEqual(['start', ...PIECES.map(() => 'delta'), 'done']);
      const after = await history(worker, sessionId);
      expect(after.messages.map((m) => [m.role, m.status, m.content])).toEqual([
        ['user', 'complete', 'Hello'],
        ['assistant', 'complete', FULL],
      ]);
    },
  );

  it('a reply checkpointed many times writes KV three times in all: the user turn, the placeholder, the final record', async () => {
    const clock = steppingClock(600);
    const faults = faultyKv({});
    const { kv, reached } = afterPuts(faults.spy.kv, 2);
    const model = scriptedModel([{ wait: reached }, ...PIECES], clock.tick);
    const worker = chatWorker({ kv, model, now: clock.now, log: () => undefined });
    const sessionId = uniqueId('s');
    const sent = await exchange(worker, sessionId, uniqueId('m'));
    expect(sent.events.map((e) => e.event)).toEqual(['start', ...PIECES.map(() => 'delta'), 'done']);
    // 8 pieces 600 ms apart: checkpoints fell due, and went to the object's storage.
    expect(faults.spy.counts.put).toBe(3);
    const reply = (await history(worker, sessionId)).messages.at(-1);
    expect(reply).toMatchObject({ role: 'assistant', status: 'complete', content: FULL });
  });

  it('the final write fails once: it is retried and the reply ends done, persisted complete', async () => {
    const faults = faultyKv({ final: 1 });
    const worker = chatWorker({ kv: faults.spy.kv, model: scriptedModel(PIECES), log: () => undefined });
    const sessionId = uniqueId('s');
    const sent = await exchange(worker, sessionId, uniqueId('m'));
    expect(faults.failed).toEqual(['final']);
    const done = sent.events.at(-1);
    expect(done?.event).toBe('done');
    const stored = await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, (done?.data as DoneEventData).message.id), 'json');
    expect(stored).toEqual((done?.data as DoneEventData).message);
  });

  it('the final write keeps failing: the reply still ends done, its object keeps the record, history asks it once stale, and KV gets it when it heals', async () => {
    const clock = steppingClock(600);
    const faults = faultyKv({ final: Infinity });
    const { kv, reached } = afterPuts(faults.spy.kv, 2);
    const staleStreamingMs = 60_000;
    const worker = chatWorker({
      kv,
      model: scriptedModel([{ wait: reached }, ...PIECES], clock.tick),
      now: clock.now,
      staleStreamingMs,
      log: () => undefined,
    });
    const sessionId = uniqueId('s');
    const sent = await exchange(worker, sessionId, uniqueId('m'));
    const last = sent.events.at(-1);
    expect(last?.event).toBe('done');
    const done = (last?.data as DoneEventData).message;
    expect(done).toMatchObject({ status: 'complete', content: FULL });

    // KV still holds the placeholder, shown as it is within the stale limit.
    expect((await history(worker, sessionId)).messages.at(-1)).toMatchObject({ id: done.id, status: 'streaming' });
    // Past it, history asks the object, which holds the final record KV refused.
    clock.jump(staleStreamingMs + 1);
    expect((await history(worker, sessionId)).messages.at(-1)).toEqual(done);

    faults.heal();
    let stored: ChatMessage | null = null;
    for (let attempt = 0; attempt < 100 && stored?.status !== 'complete'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      stored = await env.CHAT_KV.get<ChatMessage>(messageKey(sessionId, done.id), 'json');
    }
    expect(stored).toEqual(done);
  });
});

describe('KV failing on reads and deletes', () => {
  /** A KV whose `op` calls throw, as during an outage. */
  function outage(op: KvOp) {
    const spy = spyKv(env.CHAT_KV);
    spy.failWhen((called) => called === op);
    return chatWorker({ kv: spy.kv, model: scriptedModel(['never']), log: () => undefined });
  }

  async function expectUnavailable(response: Response, text: string): Promise<void> {
    expect(response.status, text).toBe(503);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(JSON.parse(text)).toEqual({ error: { code: 'storage_unavailable', message: expect.any(String) } });
  }

  it('the conversation read before a send fails: 503 storage_unavailable, nothing written', async () => {
    const sessionId = uniqueId('s');
    const { response, text } = await call(outage('list'), chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
    await expectUnavailable(response, text);
    expect(await kvDump(`message:${sessionId}:`)).toEqual({});
  });

  it('history cannot list: 503 storage_unavailable', async () => {
    const { response, text } = await call(outage('list'), historyRequest({ sessionId: uniqueId('s') }));
    await expectUnavailable(response, text);
  });

  it('delete cannot delete: 503 storage_unavailable, and the conversation is still readable after', async () => {
    const spy = spyKv(env.CHAT_KV);
    const worker = chatWorker({ kv: spy.kv, model: scriptedModel(['kept']), log: () => undefined });
    const sessionId = uniqueId('s');
    await exchange(worker, sessionId, uniqueId('m'));
    spy.failWhen((called) => called === 'delete');
    const { response, text } = await call(worker, historyRequest({ sessionId }, 'DELETE'));
    await expectUnavailable(response, text);
    spy.failWhen(undefined);
    expect((await history(worker, sessionId)).messages).toHaveLength(2);
  });

  it('stop cannot read a reply its object does not hold: 503 storage_unavailable', async () => {
    const sessionId = uniqueId('s');
    const userId = uniqueId('m');
    const at = new Date().toISOString();
    await seed([
      { id: userId, sessionId, role: 'user', content: 'Hi', timestamp: at, updatedAt: at, status: 'complete' },
      { id: `${userId}_r`, sessionId, role: 'assistant', content: 'kept', timestamp: at, updatedAt: at, status: 'complete', replyTo: userId },
    ]);
    const stop = stopRequest({ sessionId, messageId: `${userId}_r`, content: 'kept' });
    const { response, text } = await call(outage('get'), stop);
    await expectUnavailable(response, text);
  });
});

describe('a slow KV', () => {
  it('every call 30 ms late: start is sent only after both records are stored, and the reply is persisted whole', async () => {
    const order: string[] = [];
    const slow = new Proxy(env.CHAT_KV, {
      get(target, property: keyof KVNamespace) {
        const original = target[property];
        if (typeof original !== 'function') return original;
        return async (...args: unknown[]) => {
          await new Promise((r) => setTimeout(r, 30));
          const result = await (original as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (property === 'put') order.push(`stored ${(JSON.parse(args[1] as string) as ChatMessage).role}`);
          return result;
        };
      },
    });
    const worker = chatWorker({ kv: slow, model: scriptedModel(PIECES) });
    const sessionId = uniqueId('s');
    const ctx = createExecutionContext();
    const response = await worker.fetch(chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }), env, ctx);
    const reader = response.body!.getReader();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (text === '') order.push('first byte');
      text += new TextDecoder().decode(value);
    }
    await waitOnExecutionContext(ctx);
    const firstByte = order.indexOf('first byte');
    expect(order.slice(0, firstByte).sort()).toEqual(['stored assistant', 'stored user']);
    expect(parseSse(text).events.at(-1)?.event).toBe('done');
    expect((await history(worker, sessionId)).messages.map((m) => m.content)).toEqual(['Hi', FULL]);
  });
});
