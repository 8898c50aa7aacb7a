// A reply that fails upstream ends `error`, keeps the text that arrived, looks like a failure, and stays so after
// a reload. The failure is real: a Worker of its own whose OpenAI-compatible model server drops the connection
// mid-reply.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../support/wrangler-dev';
import { openDemo, openSessionId, renderedMessages, sendFromComposer, waitForCount, demoOwnerKey } from './support/demo-page';
import { browserAvailable, useBrowser } from './support/browser';
import { saveScreenshot } from './support/screenshot';
import { serverHistory } from '../support/server-history';

const PARTIAL = ['The reply ', 'starts well, ', 'and then '];

/** Streams a few chat-completion chunks, then cuts the connection without `[DONE]`. */
function startBrokenModel(): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const content of PARTIAL) res.write(`data: ${JSON.stringify({ choices: [{ delta: { content } }] })}\n\n`);
    setTimeout(() => res.socket?.destroy(), 50);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe.skipIf(!browserAvailable)('a reply that fails', () => {
  const browser = useBrowser();
  let model: Server;
  let worker: RunningWorker;

  beforeAll(async () => {
    model = await startBrokenModel();
    const { port } = model.address() as AddressInfo;
    worker = await startWorker({
      vars: { MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`, OPENAI_MODEL: 'broken' },
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await new Promise((resolve) => model?.close(resolve));
  });

  it('shows the failed turn with its partial text and the reason', async () => {
    const page = await openDemo(await browser.newContext({ baseURL: worker.origin }));
    await sendFromComposer(page, 'Tell me something, if you can.');
    await waitForCount(page, { role: 'assistant', status: 'error' }, 1);
    await saveScreenshot(page, 'demo-error');

    const reply = page.locator('[data-role="assistant"][data-status="error"]');
    expect(await reply.locator('.message-content').textContent()).toBe(PARTIAL.join(''));
    expect(await reply.getAttribute('data-error-code')).toBe('model_error');
    expect(await reply.locator('.message-meta').textContent()).toMatch(/^Reply failed: ./);

    const stored = await serverHistory(worker.origin, await openSessionId(page), await demoOwnerKey(page));
    expect(stored.map((m) => [m.role, m.status, m.content])).toEqual([
      ['user', 'complete', 'Tell me something, if you can.'],
      ['assistant', 'error', PARTIAL.join('')],
    ]);

    await page.reload();
    await waitForCount(page, { role: 'assistant', status: 'error' }, 1);
    expect((await renderedMessages(page)).map((m) => [m.role, m.status, m.content])).toEqual(
      stored.map((m) => [m.role, m.status, m.content]),
    );
  });
});
