// A server that answers 503 shows why: the reason the Worker gives is on the page, not only "Waiting to send", and
// it goes away once the turn is delivered. The 503 is the Worker's own answer when KV fails (storage_unavailable,
// Retry-After), served for POST /api/chat by the browser's request routing, since a real KV cannot be made to fail
// on cue.
import { describe, expect, it } from 'vitest';
import type { ErrorResponseBody } from '../../sdk/protocol';
import { openDemo, sendFromComposer, waitForConnection, waitForCount } from './support/demo-page';
import { browserAvailable, useBrowser } from './support/browser';
import { saveScreenshot } from './support/screenshot';

const OUTAGE: ErrorResponseBody = {
  error: { code: 'storage_unavailable', message: 'Could not save the message; try again shortly' },
};

describe.skipIf(!browserAvailable)('a server that is unavailable', () => {
  const browser = useBrowser();

  it('shows the reason while it retries, and clears it when the turn goes through', async () => {
    const page = await openDemo(await browser.newContext());
    await waitForConnection(page, 'idle');
    let refusals = 0;
    await page.route('**/api/chat', async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      refusals += 1;
      await route.fulfill({
        status: 503,
        headers: { 'content-type': 'application/json', 'retry-after': '1' },
        body: JSON.stringify(OUTAGE),
      });
    });

    await sendFromComposer(page, 'Are you there?');
    await waitForCount(page, { role: 'user', status: 'pending' }, 1);
    await page.waitForSelector('#notice:not([hidden])');
    await saveScreenshot(page, 'demo-server-unavailable');

    const notice = (await page.textContent('#notice')) ?? '';
    expect(notice).toContain(OUTAGE.error.message);
    expect(notice).toContain('503 storage_unavailable');
    const meta = await page.textContent('[data-role="user"][data-status="pending"] .message-meta');
    expect(meta).toContain(OUTAGE.error.message);
    expect(refusals).toBeGreaterThanOrEqual(1);

    await page.unroute('**/api/chat');
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 1);
    await page.waitForSelector('#notice', { state: 'hidden' });
    expect(await page.textContent('[data-role="user"] .message-meta')).not.toContain(OUTAGE.error.message);
  });
});
