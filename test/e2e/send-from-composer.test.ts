// Scenario 1: a turn sent from the composer renders both turns and reaches the server's history.
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

describe.skipIf(!browserAvailable)('send from the composer', () => {
  const browser = useBrowser();

  it('renders the user turn and the streamed reply, and the server holds both', async () => {
    const page = await openDemo(await browser.newContext());
    await waitForConnection(page, 'idle');
    await sendFromComposer(page, 'What does chatkeep keep?');

    await waitForCount(page, { role: 'assistant', status: 'complete' }, 1);
    const shown = await renderedMessages(page);
    expect(shown.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
    ]);
    expect(shown[0]?.content).toBe('What does chatkeep keep?');
    expect(shown[1]?.content.trim().split(/\s+/).length).toBeGreaterThanOrEqual(40);
    // Enter sent the turn and emptied the composer.
    expect(await page.inputValue('textarea[name=message]')).toBe('');

    const stored = await serverHistory(workerOrigin, await openSessionId(page), await demoOwnerKey(page));
    expect(stored.map((m) => ({ id: m.id, role: m.role, status: m.status, content: m.content }))).toEqual(
      shown.map((m) => ({ id: m.id, role: m.role, status: m.status, content: m.content })),
    );
    expect(stored[1]?.replyTo).toBe(stored[0]?.id);
  });

  it('adds a line with Shift+Enter instead of sending', async () => {
    const page = await openDemo(await browser.newContext());
    const box = page.locator('textarea[name=message]');
    await box.fill('first line');
    await box.press('Shift+Enter');
    await box.pressSequentially('second line');
    expect(await box.inputValue()).toBe('first line\nsecond line');
    expect(await renderedMessages(page)).toEqual([]);

    await box.press('Enter');
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 1);
    expect((await renderedMessages(page))[0]?.content).toBe('first line\nsecond line');
  });
});
