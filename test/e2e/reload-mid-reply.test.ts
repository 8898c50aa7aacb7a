// Scenario 3: a reload in the middle of a reply follows it live again, word by word, to one complete reply equal to
// an uninterrupted run; a second browser opened mid-reply streams the rest; Stop works on a followed reply.
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
import { growthAfterReady, sampleStreaming, streamingSamples } from './support/streaming-samples';
import { serverHistory } from '../support/server-history';
import { referenceReply } from './support/worker-api';

/** One of the demo model's longest replies (120 words, 2.4 s at the suite's 20 ms a word). */
const PROMPT = 'Tell me everything, part 50';
/** Within this time of `chat.ready` after a reload, the followed reply grows again. */
const RESUMED_WITHIN_MS = 300;
/** Fewer distinct lengths than this after `ready` would be history's one-second jumps, not word-by-word streaming. */
const MIN_DISTINCT_LENGTHS = 10;

describe.skipIf(!browserAvailable)('reload in the middle of a reply', () => {
  const browser = useBrowser();

  it('grows word by word again within 300 ms of ready and ends as an uninterrupted run', async () => {
    const expected = await referenceReply(workerOrigin, PROMPT);
    const context = await browser.newContext();
    await sampleStreaming(context);
    const page = await openDemo(context);
    await sendFromComposer(page, PROMPT);
    const streamingId = await waitForStreamingText(page, 10);
    const partial = (await renderedMessages(page)).find((m) => m.id === streamingId)?.content ?? '';
    // The reload has to land mid-reply for this scenario to mean anything.
    expect(partial.length).toBeLessThan(expected.length);

    await page.reload();
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 1);

    const growth = growthAfterReady(await streamingSamples(page));
    expect(growth.firstGrowthMs).toBeLessThanOrEqual(RESUMED_WITHIN_MS);
    expect(growth.distinctLengths).toBeGreaterThanOrEqual(MIN_DISTINCT_LENGTHS);

    const shown = await renderedMessages(page);
    const replies = shown.filter((m) => m.role === 'assistant');
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ id: streamingId, status: 'complete', content: expected });
    expect(shown.filter((m) => m.role === 'user').map((m) => [m.content, m.status])).toEqual([[PROMPT, 'complete']]);

    const stored = await serverHistory(workerOrigin, await openSessionId(page), await demoOwnerKey(page));
    expect(stored.filter((m) => m.role === 'assistant').map((m) => [m.status, m.content])).toEqual([
      ['complete', expected],
    ]);
  });

  it('a second browser opened on the same ?session= mid-reply streams the rest live', async () => {
    const expected = await referenceReply(workerOrigin, PROMPT);
    // The other device has the demo open already (on a conversation of its own), so that opening the shared one
    // mid-reply costs one navigation, not a browser start.
    const otherDevice = await browser.newContext();
    await sampleStreaming(otherDevice);
    const watcher = await openDemo(otherDevice);
    const sender = await openDemo(await browser.newContext());
    const sessionId = await openSessionId(sender);
    await sendFromComposer(sender, PROMPT);
    const replyId = await waitForStreamingText(sender, 10);

    // Another device of the same person: the conversation is its owner's, so the link carries the owner key.
    await watcher.goto(`/?owner=${await demoOwnerKey(sender)}&session=${encodeURIComponent(sessionId)}`);
    await waitForCount(watcher, { role: 'assistant', status: 'complete' }, 1);
    await waitForCount(sender, { role: 'assistant', status: 'complete' }, 1);

    const { samples } = await streamingSamples(watcher);
    const partial = new Set(samples.map((sample) => sample.length).filter((length) => length > 0 && length < expected.length));
    expect(partial.size, 'the other device showed the reply growing, word by word').toBeGreaterThanOrEqual(MIN_DISTINCT_LENGTHS);
    expect((await renderedMessages(watcher)).find((m) => m.id === replyId)).toMatchObject({ status: 'complete', content: expected });
    expect(await renderedMessages(watcher)).toEqual(await renderedMessages(sender));
  });

  it('offers Stop on the reply it follows after a reload, and Stop ends it aborted with the text shown', async () => {
    const full = await referenceReply(workerOrigin, PROMPT);
    const page = await openDemo(await browser.newContext());
    const sessionId = await openSessionId(page);
    const ownerKey = await demoOwnerKey(page);
    await sendFromComposer(page, PROMPT);
    const replyId = await waitForStreamingText(page, 10);

    await page.reload();
    await page.waitForSelector('#stop:not([hidden])');
    const cachedLength = (await renderedMessages(page)).find((m) => m.id === replyId)?.content.length ?? 0;
    // Stopped once the followed stream has shown text beyond what the cache held.
    await waitForStreamingText(page, cachedLength + 1);
    const atClick = await page.evaluate((id) => {
      const text = document.querySelector(`[data-message-id="${id}"] .message-content`)?.textContent ?? '';
      document.querySelector<HTMLButtonElement>('#stop')?.click();
      return text;
    }, replyId);
    await waitForCount(page, { role: 'assistant', status: 'aborted' }, 1);

    const shown = (await renderedMessages(page)).find((m) => m.id === replyId);
    const text = shown?.content ?? '';
    expect(text.startsWith(atClick)).toBe(true);
    expect(text.length).toBeLessThan(full.length);
    expect(await page.isHidden('#stop')).toBe(true);
    // The page shows `aborted` at once; the Worker's record follows when the stop request has been answered.
    await expect
      .poll(async () => (await serverHistory(workerOrigin, sessionId, ownerKey)).find((m) => m.id === replyId), { timeout: 10_000 })
      .toMatchObject({ status: 'aborted', content: text });
  });
});
