// Scenario 2: after a reload, the cached conversation renders while /api/history is still held back.
import type { Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  openDemo,
  renderedMessages,
  sendFromComposer,
  waitForConnection,
  waitForCount,
} from './support/demo-page';
import { browserAvailable, useBrowser } from './support/browser';

describe.skipIf(!browserAvailable)('reload with history held back', () => {
  const browser = useBrowser();

  it('renders the cached conversation before the server answers', async () => {
    const page = await openDemo(await browser.newContext());
    await sendFromComposer(page, 'Remember this for later.');
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 1);
    await waitForConnection(page, 'idle');
    const before = await renderedMessages(page);

    const held: Route[] = [];
    let released = false;
    await page.route('**/api/history**', (route) => {
      if (released) void route.continue();
      else held.push(route);
    });
    await page.reload();
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 1);

    // The page asked for history and has not had an answer, yet the conversation is on screen, and says it syncs.
    expect(held.length).toBeGreaterThan(0);
    expect(await renderedMessages(page)).toEqual(before);
    expect(await page.getAttribute('#connection', 'data-state')).toBe('syncing');

    released = true;
    await Promise.all(held.map((route) => route.continue()));
    await waitForConnection(page, 'idle');
    expect(await renderedMessages(page)).toEqual(before);
  });
});
