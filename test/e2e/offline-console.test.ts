// While the browser is offline with a turn waiting, the page stays quiet: not a failed request (a red line in the
// console) after every backoff step, only the turn waiting for the network. Back online, it goes out once.
import type { ConsoleMessage } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openDemo, sendFromComposer, waitForConnection, waitForCount, waitForSendsSettled } from './support/demo-page';
import { browserAvailable, useBrowser } from './support/browser';

/** Long enough for the client's backoff (from 100 ms, doubling) to have retried several times. */
const OFFLINE_FOR_MS = 5_000;

describe.skipIf(!browserAvailable)('offline', () => {
  const browser = useBrowser();

  it('keeps the console quiet while a turn waits for the network', async () => {
    const context = await browser.newContext();
    const page = await openDemo(context);
    await waitForConnection(page, 'idle');

    const noise: string[] = [];
    const failedRequests: string[] = [];
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error' || message.type() === 'warning') noise.push(message.text());
    });
    page.on('requestfailed', (request) => failedRequests.push(`${request.method()} ${request.url()}`));

    await context.setOffline(true);
    await waitForConnection(page, 'offline');
    await sendFromComposer(page, 'Sent while offline.');
    await waitForCount(page, { role: 'user', status: 'pending' }, 1);
    await waitForSendsSettled(page);
    await page.waitForTimeout(OFFLINE_FOR_MS);

    // At most the one attempt that checks whether the server is reachable anyway (on this machine, say), and the
    // one console line its failure prints.
    expect(failedRequests.length, failedRequests.join('\n')).toBeLessThanOrEqual(1);
    expect(noise.length, noise.join('\n')).toBeLessThanOrEqual(1);
    expect(await page.textContent('[data-role="user"] .message-meta')).toBe('Offline: sends when you are back online');

    await context.setOffline(false);
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 1);
    await waitForCount(page, { role: 'user', status: 'complete' }, 1);
  });
});
