import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, ErrorEventData, HistoryResponseBody, StartEventData } from '../../sdk/protocol';
import { ModelError, type ChatWorker, type ModelProvider } from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { uniqueId } from './support/ids';
import { call, chatRequest, historyRequest } from './support/requests';
import { scriptedModel, type ScriptStep } from './support/scripted-model';
import { parseSse } from './support/sse';

async function history(worker: ChatWorker<Cloudflare.Env>, sessionId: string): Promise<ChatMessage[]> {
  const { text } = await call(worker, historyRequest({ sessionId }));
  return (JSON.parse(text) as HistoryResponseBody).messages;
}

interface Case {
  name: string;
  steps: ScriptStep[];
  code: 'model_error' | 'model_timeout';
  kept: string;
}

const cases: Case[] = [
  { name: 'fails before the first token', steps: [{ fail: new ModelError('model_error', 'upstream 502') }], code: 'model_error', kept: '' },
  { name: 'throws something that is not a ModelError', steps: [{ fail: new TypeError('undefined is not a function') }], code: 'model_error', kept: '' },
  { name: 'fails mid-stream', steps: ['Half ', 'an ', { fail: new ModelError('model_error', 'connection reset') }, 'never'], code: 'model_error', kept: 'Half an ' },
  { name: 'hangs before the first token', steps: [{ hang: true }], code: 'model_timeout', kept: '' },
  { name: 'hangs mid-stream', steps: ['Some ', 'words', { hang: true }, 'never'], code: 'model_timeout', kept: 'Some words' },
];

describe('a model that fails', () => {
  for (const c of cases) {
    it(`${c.name}: the stream ends error / ${c.code}, the text so far persisted with status error`, async () => {
      const logged: unknown[] = [];
      const worker = chatWorker({ model: scriptedModel(c.steps), modelIdleTimeoutMs: 100, log: (e) => logged.push(e) });
      const sessionId = uniqueId('s');
      const { response, text } = await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
      expect(response.status).toBe(200);
      const events = parseSse(text).events;
      expect(events[0]?.event).toBe('start');
      expect(events.at(-1)?.event).toBe('error');
      expect(events.filter((e) => e.event === 'error' || e.event === 'done')).toHaveLength(1);
      const data = events.at(-1)?.data as ErrorEventData;
      expect(data.error.code).toBe(c.code);
      expect(data.error.message).not.toMatch(/undefined is not a function|\.ts:\d+/);
      expect(data.message).toMatchObject({ status: 'error', content: c.kept, error: { code: c.code } });
      const stored = await history(worker, sessionId);
      expect(stored.map((m) => [m.role, m.status])).toEqual([
        ['user', 'complete'],
        ['assistant', 'error'],
      ]);
      expect(stored[1]).toEqual(data.message);
    });
  }

  it('a hanging model is aborted (its connection released) when it times out, also after the client left', async () => {
    // A plain flag: the signal itself belongs to the conversation object's I/O and cannot be read from the test.
    let aborted = false;
    const model: ModelProvider = {
      name: 'hanging',
      async *stream(request) {
        yield 'Before the silence';
        await new Promise<void>((resolve) =>
          request.signal.addEventListener('abort', () => ((aborted = true), resolve()), { once: true }),
        );
      },
    };
    const worker = chatWorker({ model, modelIdleTimeoutMs: 100 });
    const sessionId = uniqueId('s');
    const ctx = createExecutionContext();
    const response = await worker.fetch(chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }), env, ctx);
    const reader = response.body!.getReader();
    const start = parseSse(new TextDecoder().decode((await reader.read()).value)).events[0]?.data as StartEventData;
    await reader.cancel();
    await waitOnExecutionContext(ctx);
    let reply = (await history(worker, sessionId)).find((m) => m.id === start.assistantMessage.id);
    for (let attempt = 0; attempt < 100 && reply?.status === 'streaming'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      reply = (await history(worker, sessionId)).find((m) => m.id === start.assistantMessage.id);
    }
    expect(aborted).toBe(true);
    expect(reply).toMatchObject({ status: 'error', content: 'Before the silence', error: { code: 'model_timeout' } });
  });

  it('a retry of a turn whose reply failed replays the failure instead of running the model again', async () => {
    const model = scriptedModel(['Partial', { fail: new ModelError('model_error', 'boom') }]);
    const worker = chatWorker({ model, log: () => undefined });
    const sessionId = uniqueId('s');
    const body = { sessionId, message: { id: uniqueId('m'), content: 'Hi' } };
    await call(worker, chatRequest(body));
    const again = parseSse((await call(worker, chatRequest(body))).text).events;
    expect(model.calls).toHaveLength(1);
    expect(again.at(-1)?.event).toBe('error');
    expect(await history(worker, sessionId)).toHaveLength(2);
  });
});

describe('a model that cannot be built', () => {
  it('(a deploy mistake) answers a JSON 500 and leaves no reply record behind that would read as in progress', async () => {
    const logged: unknown[] = [];
    const worker = chatWorker({
      model: () => {
        throw new Error('MODEL_PROVIDER names nothing');
      },
      log: (e) => logged.push(e),
    });
    const sessionId = uniqueId('s');
    const body = { sessionId, message: { id: uniqueId('m'), content: 'Hi' } };
    const { response, text } = await call(worker, chatRequest(body));
    expect(response.status).toBe(500);
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal_error', message: 'Internal error' } });
    expect(logged.length).toBeGreaterThan(0);
    const left = await history(worker, sessionId);
    expect(left.filter((m) => m.role === 'assistant')).toEqual([]);
  });

  it('still replays a reply that finished before the mistake: a replay needs no model', async () => {
    const sessionId = uniqueId('s');
    const body = { sessionId, message: { id: uniqueId('m'), content: 'Hi' } };
    const first = parseSse((await call(chatWorker({ model: scriptedModel(['Earlier ', 'answer']) }), chatRequest(body))).text).events;
    const broken = chatWorker({
      model: () => {
        throw new Error('MODEL_PROVIDER names nothing');
      },
      log: () => undefined,
    });
    const { response, text } = await call(broken, chatRequest(body));
    expect(response.status).toBe(200);
    const again = parseSse(text).events;
    expect(again.map((e) => e.event)).toEqual(['start', 'delta', 'done']);
    expect(again.at(-1)?.data).toEqual(first.at(-1)?.data);
  });
});

describe('the same turn sent twice at once (a double click, a retry racing the first try)', () => {
  it('runs the model once and leaves one user turn and one reply', async () => {
    const model = scriptedModel(['One ', 'reply ', 'only.']);
    const worker = chatWorker({ model });
    const sessionId = uniqueId('s');
    const body = { sessionId, message: { id: uniqueId('m'), content: 'Hi' } };
    const [first, second] = await Promise.all([call(worker, chatRequest(body)), call(worker, chatRequest(body))]);
    const statuses = [first.response.status, second.response.status].sort();
    expect(statuses[0]).toBe(200);
    expect([200, 409]).toContain(statuses[1]);
    expect(model.calls).toHaveLength(1);
    const stored = await history(worker, sessionId);
    expect(stored.map((m) => [m.role, m.status, m.content])).toEqual([
      ['user', 'complete', 'Hi'],
      ['assistant', 'complete', 'One reply only.'],
    ]);
  });
});
