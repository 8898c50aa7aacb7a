// Scenario 6: two tabs on one conversation; a send in one appears, streamed, in the other without a reload.
import { describe, expect, it } from 'vitest';
import {
  openDemo,
  openSessionId,
  renderedMessages,
  sendFromComposer,
  waitForConnection,
  waitForCount,
} from './support/demo-page';
import { browserAvailable, useBrowser } from './support/browser';

interface Observation {
  status: string;
  length: number;
}

describe.skipIf(!browserAvailable)('two tabs', () => {
  const browser = useBrowser();

  it('streams a reply sent in one tab into the other', async () => {
    const context = await browser.newContext();
    const sender = await openDemo(context);
    const sessionId = await openSessionId(sender);
    const watcher = await openDemo(context, sessionId);
    await waitForConnection(sender, 'idle');
    await waitForConnection(watcher, 'idle');

    // Record every state the watcher's reply element goes through, and mark the document to prove no reload.
    await watcher.evaluate(() => {
      const seen: Observation[] = [];
      (window as unknown as { observed: Observation[] }).observed = seen;
      (window as unknown as { marker: string }).marker = 'same document';
      const record = () => {
        for (const row of document.querySelectorAll<HTMLElement>('[data-role="assistant"]')) {
          const text = row.querySelector('.message-content')?.textContent ?? '';
          seen.push({ status: row.dataset.status ?? '', length: text.length });
        }
      };
      new MutationObserver(record).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
        attributeFilter: ['data-status'],
      });
    });

    await sendFromComposer(sender, 'Say something both tabs can see.');
    await waitForCount(sender, { role: 'assistant', status: 'complete' }, 1);
    await waitForCount(watcher, { role: 'assistant', status: 'complete' }, 1);

    const inSender = await renderedMessages(sender);
    const inWatcher = await renderedMessages(watcher);
    expect(inWatcher).toEqual(inSender);

    const observed = await watcher.evaluate(() => (window as unknown as { observed: Observation[] }).observed);
    const finalLength = observed.at(-1)?.length ?? 0;
    const partial = observed.filter((o) => o.status === 'streaming' && o.length > 0 && o.length < finalLength);
    expect(partial.length, 'the watcher showed the reply while it streamed').toBeGreaterThan(0);
    expect(await watcher.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same document');
  });
});
