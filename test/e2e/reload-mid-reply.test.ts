// Scenario 3: a reload in the middle of a reply ends with exactly one, complete, uninterrupted-equal reply.
import { describe, expect, it } from 'vitest';
import { openDemo, renderedMessages, sendFromComposer, waitForCount, waitForStreamingText } from './support/demo-page';
import { browserAvailable, useBrowser, workerOrigin } from './support/browser';
import { serverHistory } from '../support/server-history';
import { referenceReply } from './support/worker-api';

const PROMPT = 'Tell me how a reply survives a page reload.';

describe.skipIf(!browserAvailable)('reload in the middle of a reply', () => {
  const browser = useBrowser();

  it('shows one complete reply, the same text an uninterrupted run gives', async () => {
    const expected = await referenceReply(workerOrigin, PROMPT);
    const page = await openDemo(await browser.newContext());
    await sendFromComposer(page, PROMPT);
    const streamingId = await waitForStreamingText(page);
    const partial = (await renderedMessages(page)).find((m) => m.id === streamingId)?.content ?? '';
    // The reload has to land mid-reply for this scenario to mean anything.
    expect(partial.length).toBeLessThan(expected.length);

    await page.reload();
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 1);

    const shown = await renderedMessages(page);
    const replies = shown.filter((m) => m.role === 'assistant');
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ id: streamingId, status: 'complete', content: expected });
    expect(shown.filter((m) => m.role === 'user').map((m) => [m.content, m.status])).toEqual([[PROMPT, 'complete']]);

    const stored = await serverHistory(workerOrigin, await page.evaluate(() => window.chat?.sessionId ?? ''));
    expect(stored.filter((m) => m.role === 'assistant').map((m) => [m.status, m.content])).toEqual([
      ['complete', expected],
    ]);
  });
});
