// A streamed word redraws the reply it belongs to, not the rest of the conversation: the earlier turns' time labels
// are not formatted again on every delta, and the reply's Markdown is parsed at most once a frame.
import { describe, expect, it } from 'vitest';
import { openDemo, sendFromComposer, waitForCount } from './support/demo-page';
import { browserAvailable, useBrowser } from './support/browser';

interface RenderCounts {
  timeLabels: number;
  frames: number;
  contentRedraws: number;
}

describe.skipIf(!browserAvailable)('rendering a streaming reply', () => {
  const browser = useBrowser();

  it('touches only the streaming row, at most once a frame', async () => {
    const context = await browser.newContext();
    // Count the time formatting the page asks for, and the animation frames that pass.
    await context.addInitScript(() => {
      const counts = { timeLabels: 0, frames: 0, contentRedraws: 0 };
      (window as unknown as { renderCounts: typeof counts }).renderCounts = counts;
      const format = Date.prototype.toLocaleTimeString;
      Date.prototype.toLocaleTimeString = function (...args: Parameters<typeof format>) {
        counts.timeLabels += 1;
        return format.apply(this, args);
      };
      const tick = () => {
        counts.frames += 1;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const page = await openDemo(context);
    for (const [index, turn] of ['First question.', 'Second question.'].entries()) {
      await sendFromComposer(page, turn);
      await waitForCount(page, { role: 'assistant', status: 'complete' }, index + 1);
    }

    await sendFromComposer(page, 'A third question, answered while we count.');
    const before = await page.waitForFunction(() => {
      const row = document.querySelector('[data-role="assistant"][data-status="streaming"] .message-content');
      if (!row) return undefined;
      const counts = (window as unknown as { renderCounts: RenderCounts }).renderCounts;
      new MutationObserver((records) => {
        counts.contentRedraws += records.filter((r) => r.type === 'childList').length;
      }).observe(row, { childList: true });
      return { ...counts };
    }, undefined, { polling: 'raf' });
    const start = (await before.jsonValue()) as RenderCounts;
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 3);
    const end = await page.evaluate(() => ({ ...(window as unknown as { renderCounts: RenderCounts }).renderCounts }));

    const words = ((await page.textContent('[data-role="assistant"]:last-child .message-content')) ?? '').split(/\s+/);
    expect(words.length).toBeGreaterThanOrEqual(40);
    // The third reply's own label and the user turn's once final: a handful, not one per row per word.
    expect(end.timeLabels - start.timeLabels).toBeLessThanOrEqual(4);
    expect(end.contentRedraws - start.contentRedraws).toBeLessThanOrEqual(end.frames - start.frames + 1);
  });
});
