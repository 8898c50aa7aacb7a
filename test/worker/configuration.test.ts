import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HistoryResponseBody } from '../../sdk/protocol';
import { createEnvWorker } from '../../worker/env-worker';
import { ConfigurationError, createChatWorker, optionsFromEnv, type ChatKeepEnv } from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { uniqueId } from './support/ids';
import { call, chatRequest, historyRequest } from './support/requests';
import { scriptedModel } from './support/scripted-model';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('options that contradict each other are refused when the worker is created', () => {
  it('a model idle timeout at or above the stale limit (less a checkpoint interval) is refused with a message naming both', () => {
    for (const [modelIdleTimeoutMs, staleStreamingMs] of [
      [90_000, 60_000],
      [60_000, 60_000],
      [59_500, 60_000],
    ] as const) {
      expect(() => chatWorker({ modelIdleTimeoutMs, staleStreamingMs })).toThrow(
        /modelIdleTimeoutMs \(\d+\) plus checkpointIntervalMs \(1000\) must be less than staleStreamingMs \(60000\)/,
      );
    }
    expect(() => chatWorker({ checkpointIntervalMs: 10_000, staleStreamingMs: 35_000 })).toThrow(/staleStreamingMs/);
    expect(() => chatWorker({ modelIdleTimeoutMs: 58_000, staleStreamingMs: 60_000 })).not.toThrow();
  });

  it('with a long idle timeout and no stale limit given, a live reply waiting on a silent model is never shown as interrupted', async () => {
    let clockMs = Date.UTC(2026, 3, 1);
    let speak = () => undefined as void;
    const spoken = new Promise<void>((resolve) => (speak = resolve));
    const worker = chatWorker({
      model: scriptedModel(['Thinking', { wait: spoken }, ' aloud.']),
      modelIdleTimeoutMs: 90_000,
      now: () => clockMs,
    });
    const sessionId = uniqueId('silent');
    const ctx = createExecutionContext();
    const response = await worker.fetch(chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }), env, ctx);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let streamed = '';
    while (!streamed.includes('event: delta')) {
      const { value, done } = await reader.read();
      if (done) break;
      streamed += value;
    }

    // The model has been silent for 70 s: under its idle timeout, so the reply is alive.
    clockMs += 70_000;
    const { text } = await call(worker, historyRequest({ sessionId }));
    const reply = (JSON.parse(text) as HistoryResponseBody).messages.find((message) => message.role === 'assistant');
    expect(reply).toMatchObject({ status: 'streaming' });

    speak();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      streamed += value;
    }
    await waitOnExecutionContext(ctx);
    expect(streamed).toContain('event: done');
    expect(streamed).toContain('Thinking aloud.');
  });
});

describe('the conversation object is required', () => {
  it('a Worker built without its objects is refused at once, with the binding and the wrangler.jsonc lines to add', () => {
    const build = () => createChatWorker({} as Parameters<typeof createChatWorker>[0]);
    expect(build).toThrow(ConfigurationError);
    expect(build).toThrow(/CHAT_CONVERSATIONS/);
    expect(build).toThrow(/"durable_objects": \{ "bindings": \[\{ "name": "CHAT_CONVERSATIONS", "class_name": "ChatConversation" \}\] \}/);
    expect(build).toThrow(/"new_sqlite_classes": \["ChatConversation"\]/);
  });

  it('a binding missing from env answers every conversation request with a JSON 500 and logs what to add', async () => {
    const logged: unknown[] = [];
    const worker = createChatWorker<Cloudflare.Env>({ conversations: () => undefined, log: (error) => logged.push(error) });
    const sessionId = uniqueId('s');
    const sent = await call(worker, chatRequest({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }));
    expect(sent.response.status).toBe(500);
    expect(JSON.parse(sent.text)).toEqual({ error: { code: 'internal_error', message: 'Internal error' } });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toBeInstanceOf(ConfigurationError);
    expect(String((logged[0] as Error).message)).toMatch(/CHAT_CONVERSATIONS/);
    // Nothing was written: the turn never reached an object.
    expect(await env.CHAT_KV.list({ prefix: `message:${sessionId}:` })).toMatchObject({ keys: [] });
  });
});

describe('numeric vars are read strictly', () => {
  const base = { CHAT_KV: env.CHAT_KV } satisfies ChatKeepEnv;

  it('a var that is not a whole number in digits is an error naming the var, never NaN', () => {
    const vars = ['RETENTION_SECONDS', 'CONTEXT_WINDOW', 'MODEL_IDLE_TIMEOUT_MS', 'DEMO_DELAY_MS'] as const;
    for (const name of vars) {
      for (const value of ['30s', 'NaN', 'Infinity', '1e3', '0x10', '-5', '2.5', ' 40', 'forty']) {
        const read = () => optionsFromEnv({ ...base, [name]: value });
        expect(read, `${name}=${value}`).toThrow(ConfigurationError);
        expect(read, `${name}=${value}`).toThrow(new RegExp(`^${name} must be a whole number`));
      }
    }
  });

  it('whole numbers in digits are read as given; unset or empty vars keep their defaults', () => {
    expect(optionsFromEnv({ ...base, RETENTION_SECONDS: '3600', CONTEXT_WINDOW: '0', MODEL_IDLE_TIMEOUT_MS: '20000' })).toMatchObject({
      retentionSeconds: 3600,
      contextWindow: 0,
      modelIdleTimeoutMs: 20_000,
    });
    const defaults = optionsFromEnv({ ...base, RETENTION_SECONDS: '' });
    expect(defaults.retentionSeconds).toBeUndefined();
    expect(defaults.modelIdleTimeoutMs).toBeUndefined();
  });

  it('the deployable Worker answers a JSON 500 to every request while a var is wrong, and logs which one', async () => {
    const logged: unknown[] = [];
    vi.spyOn(console, 'error').mockImplementation((error: unknown) => void logged.push(error));
    const worker = createEnvWorker();
    for (const vars of [{ MODEL_IDLE_TIMEOUT_MS: '30s' }, { RETENTION_SECONDS: '30' }]) {
      const ctx = createExecutionContext();
      const response = await worker.fetch(historyRequest({ sessionId: uniqueId('s') }), { ...base, ...vars }, ctx);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: { code: 'internal_error', message: 'Internal error' } });
    }
    expect(logged.map((error) => (error instanceof Error ? error.message : String(error)))).toEqual([
      expect.stringMatching(/^MODEL_IDLE_TIMEOUT_MS must be a whole number/),
      expect.stringMatching(/^The Worker's vars make no valid configuration: retentionSeconds must be a number >= 60/),
    ]);
  });
});
