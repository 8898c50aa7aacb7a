// Offline, the sidebar is the list cached in this browser, and a new chat still starts (and joins the list once sent).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ConversationsResponseBody } from '../../sdk/protocol-conversations';
import { browserAvailable, useBrowser, workerOrigin } from './support/browser';
import { demoOwnerKey, openSessionId, sendFromComposer, waitForCount } from './support/demo-page';

const UI_TIMEOUT_MS = 20_000;

async function sidebarTitles(page: Page): Promise<(string | null)[]> {
  return page.$$eval('#conversation-list .conversation-title', (elements) => elements.map((element) => element.textContent));
}

describe.skipIf(!browserAvailable)('the conversation list offline', () => {
  const browser = useBrowser();

  it('shows the cached list when the server cannot be reached, and a new chat starts and is listed at once', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto('/');
    await page.waitForFunction(() => window.chat !== undefined, undefined, { timeout: UI_TIMEOUT_MS });
    await sendFromComposer(page, 'Kept for offline');
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 1);
    const kept = await openSessionId(page);
    const ownerKey = await demoOwnerKey(page);
    await expect.poll(() => sidebarTitles(page), { timeout: UI_TIMEOUT_MS }).toEqual(['Kept for offline']);

    // The API is unreachable from here on (the page itself still loads): the list comes from IndexedDB.
    await page.route('**/api/**', (route) => route.abort('internetdisconnected'));
    await page.reload();
    await page.waitForFunction(() => window.chat !== undefined, undefined, { timeout: UI_TIMEOUT_MS });
    await expect.poll(() => sidebarTitles(page), { timeout: UI_TIMEOUT_MS }).toEqual(['Kept for offline']);

    await context.setOffline(true);
    await page.click('#new-chat');
    await page.waitForFunction((id) => window.chat?.sessionId !== id, kept, { timeout: UI_TIMEOUT_MS });
    const fresh = await openSessionId(page);
    await sendFromComposer(page, 'Written offline');
    await waitForCount(page, { role: 'user', status: 'pending' }, 1);
    await expect.poll(() => sidebarTitles(page), { timeout: UI_TIMEOUT_MS }).toEqual(['Written offline', 'Kept for offline']);

    // Back online, the queued turn goes out and the server lists both.
    await page.unroute('**/api/**');
    await context.setOffline(false);
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 1);
    await expect
      .poll(
        async () => {
          const response = await fetch(new URL('/api/conversations', workerOrigin), { headers: { 'x-chatkeep-owner': ownerKey } });
          return ((await response.json()) as ConversationsResponseBody).ids.sort();
        },
        { timeout: UI_TIMEOUT_MS },
      )
      .toEqual([kept, fresh].sort());
  });
});
