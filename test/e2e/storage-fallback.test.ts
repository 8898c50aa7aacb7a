// No usable IndexedDB (private mode, a blocked profile): the page keeps working in memory and says so.
import { describe, expect, it } from 'vitest';
import { openDemo, openSessionId, renderedMessages, sendFromComposer, waitForCount, demoOwnerKey } from './support/demo-page';
import { browserAvailable, useBrowser, workerOrigin } from './support/browser';
import { serverHistory } from '../support/server-history';

describe.skipIf(!browserAvailable)('without IndexedDB', () => {
  const browser = useBrowser();

  it('chats from memory and tells the user the conversation is not saved here', async () => {
    const context = await browser.newContext();
    // What Firefox's private mode and some locked-down profiles do: every open fails.
    await context.addInitScript(() => {
      IDBFactory.prototype.open = () => {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      };
    });
    const page = await openDemo(context);
    await page.waitForSelector('#notice[data-source="storage"]:not([hidden])');
    expect(await page.getAttribute('#connection', 'data-saved')).toBe('false');

    await sendFromComposer(page, 'Does this still work?');
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 1);
    const shown = await renderedMessages(page);
    const stored = await serverHistory(workerOrigin, await openSessionId(page), await demoOwnerKey(page));
    expect(stored.map((m) => [m.id, m.content])).toEqual(shown.map((m) => [m.id, m.content]));
  });
});
