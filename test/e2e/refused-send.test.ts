// Text the Worker refuses stays in the composer, with the reason shown; a counter warns near the length limit.
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_CONTENT_CHARS } from '../../sdk/protocol';
import { openDemo, openSessionId, renderedMessages, waitForConnection, waitForSendsSettled, demoOwnerKey } from './support/demo-page';
import { browserAvailable, useBrowser, workerOrigin } from './support/browser';
import { saveScreenshot } from './support/screenshot';
import { serverHistory } from '../support/server-history';

describe.skipIf(!browserAvailable)('a refused send', () => {
  const browser = useBrowser();

  it('counts near the limit, and keeps the text the server refused in the composer', async () => {
    const page = await openDemo(await browser.newContext({ locale: 'en-US' }));
    await waitForConnection(page, 'idle');
    const box = page.locator('form#composer textarea[name=message]');
    const counter = page.locator('#composer-count');

    await box.fill('A short question.');
    expect(await counter.isHidden()).toBe(true);

    const nearly = 'n'.repeat(DEFAULT_MAX_CONTENT_CHARS - 10);
    await box.fill(nearly);
    expect(await counter.isVisible()).toBe(true);
    expect(await counter.getAttribute('data-over')).toBe('false');

    const tooLong = `${'word '.repeat(DEFAULT_MAX_CONTENT_CHARS / 5)}and one more.`;
    await box.fill(tooLong);
    expect(await counter.getAttribute('data-over')).toBe('true');
    expect(await counter.textContent()).toMatch(/^20,013 \/ 20,000$/);

    await box.press('Enter');
    await waitForSendsSettled(page);
    await page.waitForSelector('#notice:not([hidden])');
    await saveScreenshot(page, 'demo-refused');

    expect(await page.textContent('#notice')).toContain('content_too_long');
    expect(await box.inputValue()).toBe(tooLong);
    expect(await renderedMessages(page)).toEqual([]);
    // The refused turn does not name the conversation either.
    expect(await page.textContent('#chat-title')).toBe('New chat');
    expect(await page.textContent('#conversation-list')).not.toContain('word word');
    expect(await serverHistory(workerOrigin, await openSessionId(page), await demoOwnerKey(page))).toEqual([]);

    // Shortened, the same text goes through.
    await box.fill(tooLong.slice(0, 200));
    await box.press('Enter');
    await page.waitForSelector('[data-role="assistant"][data-status="complete"]');
    expect(await box.inputValue()).toBe('');
    expect(await counter.isHidden()).toBe(true);
  });
});
