// Replies with parts on the demo page: the demo model's `what time` tool as a card that survives a reload mid-call
// (one card, then its result), and `think:` reasoning folded under the reply, open while it thinks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolPart } from '../../sdk/protocol';
import { startWorker, type RunningWorker } from '../support/wrangler-dev';
import { serverHistory } from '../support/server-history';
import { openDemo, openSessionId, sendFromComposer, waitForCount, demoOwnerKey } from './support/demo-page';
import { browserAvailable, useBrowser } from './support/browser';

/** The demo tool answers after ten word pauses: at 150 ms a word, a 1.5 s window for the reload to land in. */
const SLOW_DEMO_DELAY_MS = '150';
const UI_TIMEOUT_MS = 30_000;

describe.skipIf(!browserAvailable)('a reply with parts on the demo page', () => {
  const browser = useBrowser();
  let worker: RunningWorker;

  beforeAll(async () => {
    worker = await startWorker({ vars: { DEMO_DELAY_MS: SLOW_DEMO_DELAY_MS } });
  });
  afterAll(async () => {
    await worker?.stop();
  });

  it('a reload mid-tool-call shows the card again, running, then its result: one card, not two', async () => {
    const context = await browser.newContext({ baseURL: worker.origin });
    const page = await openDemo(context);
    await sendFromComposer(page, 'What time is it?');
    await page.waitForSelector('.tool-card[data-state="running"] .spinner', { timeout: UI_TIMEOUT_MS });
    expect(await page.locator('.tool-card code').first().textContent()).toBe('get_time');

    await page.reload();
    await page.waitForFunction(() => window.chat !== undefined);
    // Shown again while the tool still runs (from the cache, then followed live), and then finished in place.
    await page.waitForSelector('.tool-card[data-state="running"]', { timeout: UI_TIMEOUT_MS });
    const card = page.locator('.tool-card');
    await page.waitForSelector('.tool-card[data-state="done"]', { timeout: UI_TIMEOUT_MS });
    expect(await card.count()).toBe(1);
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 1);
    expect(await card.count()).toBe(1);
    expect(await card.locator('.spinner').count()).toBe(0);
    expect(JSON.parse((await card.locator('.tool-input').textContent()) ?? '')).toEqual({ timezone: 'UTC' });

    const stored = await serverHistory(worker.origin, await openSessionId(page), await demoOwnerKey(page));
    const reply = stored.find((message) => message.role === 'assistant');
    const tool = reply?.parts?.[0] as ToolPart | undefined;
    expect(tool).toMatchObject({ name: 'get_time', state: 'done' });
    expect(JSON.parse((await card.locator('.tool-output').textContent()) ?? '')).toEqual(tool?.output);
    expect(await page.locator('[data-role="assistant"] .message-text').textContent()).toContain((tool?.output as { iso: string }).iso);
  }, 90_000);

  it('think: streams the reasoning open while it thinks, then folds it under "Thought for N s", open on click', async () => {
    const context = await browser.newContext({ baseURL: worker.origin });
    const page = await openDemo(context);
    await sendFromComposer(page, 'think: why is the sky blue?');
    const reasoning = page.locator('details.reasoning');
    await page.waitForSelector('details.reasoning[open][data-thinking="true"]', { timeout: UI_TIMEOUT_MS });
    expect(await reasoning.locator('summary').textContent()).toBe('Thinking…');
    // It streams: the reasoning grows while the page watches.
    const early = (await reasoning.locator('.reasoning-text').textContent()) ?? '';
    await page.waitForFunction(
      (length) => (document.querySelector('.reasoning-text')?.textContent ?? '').length > length,
      early.length,
      { timeout: UI_TIMEOUT_MS },
    );
    await page.waitForSelector('details.reasoning[data-thinking="false"]:not([open])', { timeout: UI_TIMEOUT_MS });
    expect(await reasoning.locator('summary').textContent()).toMatch(/^Thought for \d+ s$/);
    // The answer is what the live region reads; the reasoning is there on demand, not announced as it grows.
    expect(await page.getAttribute('#messages', 'aria-live')).toBe('polite');
    expect(await reasoning.locator('.reasoning-text').getAttribute('aria-live')).toBe('off');
    await reasoning.locator('summary').click();
    expect(await reasoning.evaluate((details) => (details as HTMLDetailsElement).open)).toBe(true);

    await waitForCount(page, { role: 'assistant', status: 'complete' }, 1);
    expect(await reasoning.evaluate((details) => (details as HTMLDetailsElement).open)).toBe(true);
    const stored = await serverHistory(worker.origin, await openSessionId(page), await demoOwnerKey(page));
    const parts = stored.find((message) => message.role === 'assistant')?.parts;
    expect(parts?.map((part) => part.type)).toEqual(['reasoning', 'text']);
    expect(await reasoning.locator('.reasoning-text').textContent()).toBe((parts?.[0] as { text: string }).text);
  }, 90_000);
});
