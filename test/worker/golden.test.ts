import { describe, expect, it } from 'vitest';
import { chatWorker } from './support/chat-worker';
import { call, chatRequest, historyRequest, stopRequest } from './support/requests';
import { gate, scriptedModel } from './support/scripted-model';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

/**
 * The exact bytes the Worker sends for a known exchange, kept as files beside this test: any change to the wire
 * shows up as a diff of them. The clock is fixed, so timestamps are part of the fixture, not normalised away.
 */
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 600);

describe('golden wire fixtures', () => {
  it('a chat exchange, its replay, and the history that follows', async () => {
    const worker = chatWorker({ model: scriptedModel(['Hello', ', world', '!']), now: () => NOW });
    const sessionId = 'golden-session-0001';
    const body = { sessionId, message: { id: 'golden-message-0001', content: 'Say hello' } };
    const first = await call(worker, chatRequest(body));
    await expect(first.text).toMatchFileSnapshot('./fixtures/chat-exchange.sse');
    const replay = await call(worker, chatRequest(body));
    await expect(replay.text).toMatchFileSnapshot('./fixtures/chat-replay.sse');
    const history = await call(worker, historyRequest({ sessionId }));
    await expect(`${JSON.stringify(JSON.parse(history.text), null, 2)}\n`).toMatchFileSnapshot('./fixtures/history.json');
    const deleted = await call(worker, historyRequest({ sessionId }, 'DELETE'));
    expect(deleted.text).toBe('{"deleted":2}');
  });

  it('a model failure mid-reply, a stop, and an error body', async () => {
    const { ModelError } = await import('../../worker/index');
    const failing = chatWorker({
      model: scriptedModel(['Par', 'tial', { fail: new ModelError('model_error', 'The model endpoint answered 502') }]),
      now: () => NOW,
    });
    const failed = await call(failing, chatRequest({ sessionId: 'golden-session-0002', message: { id: 'golden-message-0002', content: 'Fail please' } }));
    await expect(failed.text).toMatchFileSnapshot('./fixtures/chat-model-error.sse');

    const hold = gate();
    const stopping = chatWorker({ model: scriptedModel(['Seen', hold, ' unseen']), now: () => NOW });
    const ctx = createExecutionContext();
    const response = await stopping.fetch(
      chatRequest({ sessionId: 'golden-session-0003', message: { id: 'golden-message-0003', content: 'Stop me' } }),
      env,
      ctx,
    );
    const reader = response.body!.getReader();
    await reader.read();
    const stop = await call(stopping, stopRequest({ sessionId: 'golden-session-0003', messageId: 'golden-message-0003_r', content: 'Seen' }));
    await expect(`${JSON.stringify(JSON.parse(stop.text), null, 2)}\n`).toMatchFileSnapshot('./fixtures/stop.json');
    hold.release();
    while (!(await reader.read()).done) {
      // drain
    }
    await waitOnExecutionContext(ctx);

    const bad = await call(failing, chatRequest({ sessionId: 'bad:id', message: { id: 'golden-message-0004', content: 'x' } }));
    await expect(`${bad.response.status} ${bad.response.headers.get('content-type')}\n${bad.text}\n`).toMatchFileSnapshot(
      './fixtures/error-invalid-session.txt',
    );
  });
});
