// A reply is shown as Markdown (a code block, a list, a link) and nothing in it runs: the reply comes from an
// OpenAI-compatible model server on loopback that the test controls, streamed in chunks cut mid-token, through a
// Worker of its own.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../support/wrangler-dev';
import { openDemo, openSessionId, sendFromComposer, waitForCount, demoOwnerKey } from './support/demo-page';
import { browserAvailable, useBrowser } from './support/browser';
import { saveScreenshot } from './support/screenshot';
import { serverHistory } from '../support/server-history';

const REPLY = [
  'Here is how to list files:',
  '',
  '```sh',
  'ls -la <dir>',
  '```',
  '',
  '- first, open a terminal',
  '- then run the command',
  '',
  'See [the docs](https://example.com/docs) for more.',
  '',
  'Hostile bits, all inert: [click me](javascript:window.pwned=1), [and me](JaVaScRiPt:window.pwned=5) and',
  '<img src="x" onerror="window.pwned=2"> and <script>window.pwned=3</script>',
  '<a href="javascript:window.pwned=4">raw link</a> and ![pixel](https://example.com/pixel.png)',
].join('\n');

/** Streams REPLY as chat-completion chunks of 7 characters, so tags and fences arrive cut in pieces. */
function startMarkdownModel(): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let offset = 0;
    const next = () => {
      if (offset >= REPLY.length) {
        res.end('data: [DONE]\n\n');
        return;
      }
      const content = REPLY.slice(offset, offset + 7);
      offset += 7;
      res.write(`data: ${JSON.stringify({ choices: [{ delta: { content } }] })}\n\n`);
      setTimeout(next, 5);
    };
    next();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe.skipIf(!browserAvailable)('a reply in Markdown', () => {
  const browser = useBrowser();
  let model: Server;
  let worker: RunningWorker;

  beforeAll(async () => {
    model = await startMarkdownModel();
    const { port } = model.address() as AddressInfo;
    worker = await startWorker({
      vars: { MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`, OPENAI_MODEL: 'markdown' },
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await new Promise((resolve) => model?.close(resolve));
  });

  it('renders code blocks, lists and links, and runs nothing the reply smuggles in', async () => {
    const context = await browser.newContext({ baseURL: worker.origin });
    const page = await openDemo(context);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await sendFromComposer(page, 'How do I list files?');
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 1);
    await saveScreenshot(page, 'demo-markdown');

    const stored = await serverHistory(worker.origin, await openSessionId(page), await demoOwnerKey(page));
    expect(stored.find((m) => m.role === 'assistant')?.content).toBe(REPLY);

    const reply = page.locator('[data-role="assistant"] .message-content');
    expect(await reply.locator('pre > code').textContent()).toBe('ls -la <dir>\n');
    expect(await reply.locator('ul > li').allTextContents()).toEqual([
      'first, open a terminal',
      'then run the command',
    ]);

    const docs = reply.locator('a', { hasText: 'the docs' });
    expect(await docs.getAttribute('href')).toBe('https://example.com/docs');
    expect(await docs.getAttribute('target')).toBe('_blank');
    expect((await docs.getAttribute('rel'))?.split(' ')).toEqual(expect.arrayContaining(['noopener', 'noreferrer']));

    // Nothing executable reached the page: no script or image elements, no event attributes, no javascript: URLs.
    const dangerous = await reply.evaluate((root) => ({
      elements: root.querySelectorAll('script, img, iframe, object, embed, style').length,
      handlers: [...root.querySelectorAll('*')].flatMap((el) => el.getAttributeNames().filter((n) => /^on/.test(n))),
      hrefs: [...root.querySelectorAll('a')].map((a) => a.getAttribute('href')),
    }));
    expect(dangerous.elements).toBe(0);
    expect(dangerous.handlers).toEqual([]);
    expect(dangerous.hrefs.filter((href) => href !== null && !/^https:\/\//.test(href))).toEqual([]);
    // Raw HTML reads as the text it is; the image became a link to where it lives.
    expect(await reply.textContent()).toContain('<script>window.pwned=3</script>');
    expect(await reply.locator('a', { hasText: 'pixel' }).getAttribute('href')).toBe('https://example.com/pixel.png');

    expect(await reply.textContent()).toContain('<a href="javascript:window.pwned=4">raw link</a>');
    // Clicking what looked like links does nothing either.
    await reply.locator('a', { hasText: 'click me' }).click();
    await reply.locator('a', { hasText: 'and me' }).click();
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(context.pages()).toHaveLength(1);
  });
});
