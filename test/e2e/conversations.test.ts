// The conversation list: new chat, switch, clear; and `?session=` naming the conversation to open.
import { describe, expect, it } from 'vitest';
import {
  openDemo,
  openSessionId,
  renderedMessages,
  sendFromComposer,
  waitForConnection,
  waitForCount,
  demoOwnerKey,
} from './support/demo-page';
import { browserAvailable, useBrowser, workerOrigin } from './support/browser';
import { serverHistory } from '../support/server-history';

describe.skipIf(!browserAvailable)('conversation list', () => {
  const browser = useBrowser();

  it('starts, switches between and clears conversations', async () => {
    const page = await openDemo(await browser.newContext());
    const first = await openSessionId(page);
    await sendFromComposer(page, 'The first conversation');
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 1);

    await page.click('#new-chat');
    await page.waitForFunction((id) => window.chat?.sessionId !== id, first);
    const second = await openSessionId(page);
    expect(await renderedMessages(page)).toEqual([]);
    expect(new URL(page.url()).searchParams.get('session')).toBe(second);
    await sendFromComposer(page, 'The second conversation');
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 1);

    const titles = await page.$$eval('#conversation-list .conversation-title', (els) => els.map((e) => e.textContent));
    expect(titles).toEqual(['The second conversation', 'The first conversation']);
    expect(await page.getAttribute('#conversation-list [aria-current="true"]', 'data-session-id')).toBe(second);

    await page.click(`#conversation-list [data-session-id="${first}"]`);
    await page.waitForFunction((id) => window.chat?.sessionId === id, first);
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 1);
    expect((await renderedMessages(page))[0]?.content).toBe('The first conversation');
    expect(await page.textContent('#chat-title')).toBe('The first conversation');

    // Clear asks first; saying no keeps everything.
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.click('#clear-chat');
    await waitForConnection(page, 'idle');
    expect(await renderedMessages(page)).toHaveLength(2);
    expect(await serverHistory(workerOrigin, first, await demoOwnerKey(page))).toHaveLength(2);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('#clear-chat');
    await waitForCount(page, { role: 'user', status: 'complete' }, 0);
    expect(await renderedMessages(page)).toEqual([]);
    expect(await serverHistory(workerOrigin, first, await demoOwnerKey(page))).toEqual([]);
    expect(await serverHistory(workerOrigin, second, await demoOwnerKey(page))).toHaveLength(2);
  });

  it('opens the conversation named by ?session=, else the last one used', async () => {
    const context = await browser.newContext();
    const page = await openDemo(context);
    const used = await openSessionId(page);
    await waitForConnection(page, 'idle');
    await page.close();

    const reopened = await openDemo(context);
    expect(await openSessionId(reopened)).toBe(used);

    const named = await openDemo(context, 'named-session-0001');
    expect(await openSessionId(named)).toBe('named-session-0001');

    const fresh = await openDemo(await browser.newContext(), 'not/a:valid id');
    const freshId = await openSessionId(fresh);
    expect(freshId).not.toBe('not/a:valid id');
    expect(freshId).toMatch(/^[A-Za-z0-9_-]{8,128}$/);
    expect(await fresh.isVisible('#notice')).toBe(true);
  });
});
