// Two devices of one person (two browser contexts, nothing shared but the "use on another device" link): the
// sidebar is the owner's list from the server, the same on both; a conversation opens on either; a rename and a
// delete on one reach the other at its next sync (a device with the deleted conversation open is told).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ConversationsResponseBody } from '../../sdk/protocol-conversations';
import { browserAvailable, useBrowser, workerOrigin } from './support/browser';
import { demoOwnerKey, openDemo, openSessionId, renderedMessages, sendFromComposer, waitForCount } from './support/demo-page';
import { saveScreenshot } from './support/screenshot';

const UI_TIMEOUT_MS = 20_000;

/** The owner's list as the server has it now. */
async function serverList(ownerKey: string): Promise<ConversationsResponseBody> {
  const response = await fetch(new URL('/api/conversations', workerOrigin), { headers: { 'x-chatkeep-owner': ownerKey } });
  if (!response.ok) throw new Error(`GET /api/conversations answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as ConversationsResponseBody;
}

async function sidebarTitles(page: Page): Promise<(string | null)[]> {
  return page.$$eval('#conversation-list .conversation-title', (elements) => elements.map((element) => element.textContent));
}

/** Syncs the page's list until its sidebar shows `wanted` (another device's change lands at a sync). */
async function waitForSidebar(page: Page, wanted: (string | null)[]): Promise<void> {
  await expect
    .poll(
      async () => {
        await page.evaluate(() => window.conversations?.sync().catch(() => undefined));
        return sidebarTitles(page);
      },
      { timeout: UI_TIMEOUT_MS },
    )
    .toEqual(wanted);
}

describe.skipIf(!browserAvailable)('the conversation list on another device', () => {
  const browser = useBrowser();

  it('lists a conversation started on one device on the other, opens it there with its messages, and a rename and a delete reach both', async () => {
    const laptop = await openDemo(await browser.newContext());
    await sendFromComposer(laptop, 'Bread on two devices');
    await waitForCount(laptop, { role: 'assistant', status: 'complete' }, 1);
    const sessionId = await openSessionId(laptop);
    const ownerKey = await demoOwnerKey(laptop);
    expect(await sidebarTitles(laptop)).toEqual(['Bread on two devices']);
    // The conversation's object writes the owner's entry once the reply has ended.
    await expect.poll(async () => (await serverList(ownerKey)).ids, { timeout: UI_TIMEOUT_MS }).toEqual([sessionId]);

    const link = await laptop.getAttribute('#device-link', 'href');
    expect(link).toContain(`owner=${ownerKey}`);
    expect(await laptop.textContent('#device-link')).toBe(link);

    // The phone: a browser of its own (its own storage), opened from the link.
    const phone = await (await browser.newContext()).newPage();
    await phone.goto(link!);
    await phone.waitForFunction(() => window.chat !== undefined, undefined, { timeout: UI_TIMEOUT_MS });
    expect(await demoOwnerKey(phone)).toBe(ownerKey);
    // The key is kept, not left in the address bar.
    expect(new URL(phone.url()).searchParams.has('owner')).toBe(false);
    await waitForSidebar(phone, ['Bread on two devices']);

    await phone.click(`#conversation-list [data-session-id="${sessionId}"]`);
    await phone.waitForFunction((id) => window.chat?.sessionId === id, sessionId, { timeout: UI_TIMEOUT_MS });
    await waitForCount(phone, { role: 'assistant', status: 'complete' }, 1);
    expect(await renderedMessages(phone)).toEqual(await renderedMessages(laptop));
    await phone.click('#other-device summary');
    await saveScreenshot(phone, 'demo-other-device');

    // Renamed inline on the phone: shown there at once, on the laptop at its next sync.
    await phone.click(`#conversation-list li[data-conversation-id="${sessionId}"] [data-action="rename"]`);
    await phone.fill('#conversation-list .conversation-rename', 'Sourdough');
    await phone.press('#conversation-list .conversation-rename', 'Enter');
    expect(await sidebarTitles(phone)).toEqual(['Sourdough']);
    await expect.poll(async () => (await serverList(ownerKey)).conversations[0]?.title, { timeout: UI_TIMEOUT_MS }).toBe('Sourdough');
    await waitForSidebar(laptop, ['Sourdough']);

    // Deleted on the laptop: gone from both lists, and from the server.
    laptop.once('dialog', (dialog) => void dialog.accept());
    await laptop.click(`#conversation-list li[data-conversation-id="${sessionId}"] [data-action="delete"]`);
    await waitForSidebar(laptop, []);
    expect((await serverList(ownerKey)).ids).toEqual([]);
    await waitForSidebar(phone, []);
    // The phone had it open: it moves on to a new chat and says why.
    await phone.waitForFunction((id) => window.chat?.sessionId !== id, sessionId, { timeout: UI_TIMEOUT_MS });
    expect(await phone.textContent('#notice')).toContain('deleted on another device');
    expect(await renderedMessages(phone)).toEqual([]);
  });
});
