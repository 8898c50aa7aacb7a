// Scenario 7: Stop while streaming ends the turn `aborted` with the text shown, and it stays so after a reload.
import { describe, expect, it } from 'vitest';
import {
  openDemo,
  openSessionId,
  renderedMessages,
  sendFromComposer,
  waitForCount,
  waitForStreamingText,
  demoOwnerKey,
} from './support/demo-page';
import { browserAvailable, useBrowser, workerOrigin } from './support/browser';
import { saveScreenshot } from './support/screenshot';
import { serverHistory } from '../support/server-history';
import { referenceReply } from './support/worker-api';

const PROMPT = 'Write a long answer that I will stop halfway.';

describe.skipIf(!browserAvailable)('stop while streaming', () => {
  const browser = useBrowser();

  it('keeps the reply aborted with the text that was shown', async () => {
    const full = await referenceReply(workerOrigin, PROMPT);
    const page = await openDemo(await browser.newContext());
    const sessionId = await openSessionId(page);
    await sendFromComposer(page, PROMPT);
    const replyId = await waitForStreamingText(page, 20);
    await page.waitForSelector('#stop:not([hidden])');

    const atClick = await page.evaluate((id) => {
      const text = document.querySelector(`[data-message-id="${id}"] .message-content`)?.textContent ?? '';
      document.querySelector<HTMLButtonElement>('#stop')?.click();
      return text;
    }, replyId);
    await waitForCount(page, { role: 'assistant', status: 'aborted' }, 1);
    await saveScreenshot(page, 'demo-stopped');

    const shown = (await renderedMessages(page)).find((m) => m.id === replyId);
    expect(shown?.status).toBe('aborted');
    const text = shown?.content ?? '';
    expect(text.startsWith(atClick)).toBe(true);
    expect(full.startsWith(text)).toBe(true);
    expect(text.length).toBeLessThan(full.length);
    expect(await page.isHidden('#stop')).toBe(true);

    // Let the generation the Worker keeps running finish (the full reply at 20 ms a word), then look again: its
    // late write must not have turned the record back into `complete`.
    await page.waitForTimeout(full.split(/\s+/).length * 20 + 1_500);
    const stored = (await serverHistory(workerOrigin, sessionId, await demoOwnerKey(page))).find((m) => m.id === replyId);
    expect(stored).toMatchObject({ status: 'aborted', content: text });

    await page.reload();
    await waitForCount(page, { role: 'assistant', status: 'aborted' }, 1);
    const afterReload = await renderedMessages(page);
    expect(afterReload.filter((m) => m.role === 'assistant')).toEqual([
      { id: replyId, role: 'assistant', status: 'aborted', content: text },
    ]);
  });
});
