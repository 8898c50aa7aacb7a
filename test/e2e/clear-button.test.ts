// Clear has nothing to do on an empty conversation, so it is disabled there; it comes alive with the first turn and
// goes back to disabled once the conversation is cleared.
import { describe, expect, it } from 'vitest';
import { openDemo, sendFromComposer, waitForConnection, waitForCount } from './support/demo-page';
import { browserAvailable, useBrowser } from './support/browser';

describe.skipIf(!browserAvailable)('the Clear button', () => {
  const browser = useBrowser();

  it('is disabled while the conversation is empty', async () => {
    const page = await openDemo(await browser.newContext());
    await waitForConnection(page, 'idle');
    const clear = page.locator('#clear-chat');
    expect(await clear.isDisabled()).toBe(true);

    await sendFromComposer(page, 'Something worth clearing.');
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 1);
    expect(await clear.isEnabled()).toBe(true);

    page.once('dialog', (dialog) => void dialog.accept());
    await clear.click();
    await page.waitForFunction(() => document.querySelectorAll('[data-message-id]').length === 0);
    await page.waitForSelector('#clear-chat:disabled');

    // And stays so when the emptied conversation is opened again.
    await page.reload();
    await waitForConnection(page, 'idle');
    expect(await clear.isDisabled()).toBe(true);
  });
});
