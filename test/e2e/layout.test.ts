// The page on a desktop and on a phone-sized screen; saves screenshots mid-conversation to test-results/.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openDemo, sendFromComposer, waitForCount, waitForStreamingText } from './support/demo-page';
import { browserAvailable, useBrowser } from './support/browser';
import { saveScreenshot } from './support/screenshot';

async function overflowsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
}

async function converse(page: Page, turns: readonly string[]): Promise<void> {
  for (const [index, turn] of turns.entries()) {
    await sendFromComposer(page, turn);
    await waitForCount(page, { role: 'assistant', status: 'complete' }, index + 1);
  }
}

describe.skipIf(!browserAvailable)('layout', () => {
  const browser = useBrowser();

  it('shows a conversation mid-reply on a desktop screen', async () => {
    const page = await openDemo(await browser.newContext({ viewport: { width: 1200, height: 760 } }));
    await converse(page, ['What is chatkeep?']);
    const earlier = await page.evaluate(() => window.chat?.sessionId);
    await page.click('#new-chat');
    await page.waitForFunction((id) => window.chat?.sessionId !== id, earlier);
    await converse(page, ['How does chatkeep survive a refresh?', 'And when the network drops?']);
    await sendFromComposer(page, 'What happens with two tabs open?');
    await waitForStreamingText(page, 60);
    await saveScreenshot(page, 'demo-desktop');

    expect(await page.isVisible('#sidebar')).toBe(true);
    expect(await page.isVisible('#stop')).toBe(true);
    expect(await page.isHidden('#send')).toBe(true);
    expect(await page.getAttribute('#messages', 'aria-live')).toBe('polite');
    expect(await page.getAttribute('[data-status="streaming"]', 'aria-busy')).toBe('true');
    expect(await overflowsHorizontally(page)).toBe(false);
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 3);
    expect(await page.getAttribute('[data-role="assistant"]:last-child', 'aria-busy')).toBeNull();
  });

  it('fits a phone-sized screen, with the conversation list in a drawer', async () => {
    const viewport = { width: 390, height: 844 };
    const context = await browser.newContext({ viewport, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const page = await openDemo(context);
    await converse(page, ['Does this work on a phone?']);
    await sendFromComposer(page, 'Show me a long reply on a small screen.');
    await waitForStreamingText(page, 60);
    await saveScreenshot(page, 'demo-phone');

    expect(await overflowsHorizontally(page)).toBe(false);
    const composer = await page.locator('form#composer').boundingBox();
    expect(composer).not.toBeNull();
    expect((composer?.y ?? 0) + (composer?.height ?? 0)).toBeLessThanOrEqual(viewport.height);
    expect(await page.isVisible('#sidebar')).toBe(false);

    await page.click('#sidebar-toggle');
    await page.waitForSelector('#sidebar', { state: 'visible' });
    expect(await page.getAttribute('#sidebar-toggle', 'aria-expanded')).toBe('true');
    expect(await page.isVisible('#new-chat')).toBe(true);
    await saveScreenshot(page, 'demo-phone-drawer');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#sidebar', { state: 'hidden' });
  });
});
