// Scenario 4: two turns sent offline show as pending; back online, each is delivered once and answered.
import type { Response } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  openDemo,
  openSessionId,
  renderedMessages,
  sendFromComposer,
  waitForConnection,
  waitForCount,
  waitForSendsSettled,
  demoOwnerKey,
} from './support/demo-page';
import { browserAvailable, useBrowser, workerOrigin } from './support/browser';
import { saveScreenshot } from './support/screenshot';
import { serverHistory } from '../support/server-history';

describe.skipIf(!browserAvailable)('offline sends', () => {
  const browser = useBrowser();

  it('queues two turns while offline and delivers each once when back online', async () => {
    const context = await browser.newContext();
    const page = await openDemo(context);
    const sessionId = await openSessionId(page);
    await waitForConnection(page, 'idle');

    // Which user turns reached the Worker and were answered with a stream (headers arrive before any reply text).
    const acknowledged: string[] = [];
    page.on('response', (response: Response) => {
      const id = acknowledgedTurnId(response);
      if (id !== undefined) acknowledged.push(id);
    });

    await context.setOffline(true);
    await waitForConnection(page, 'offline');
    await sendFromComposer(page, 'First, sent offline.');
    await sendFromComposer(page, 'Second, sent offline.');
    await waitForCount(page, { role: 'user', status: 'pending' }, 2);
    await waitForSendsSettled(page);
    await saveScreenshot(page, 'demo-offline-pending');

    const queued = await renderedMessages(page);
    expect(queued.map((m) => [m.role, m.status, m.content])).toEqual([
      ['user', 'pending', 'First, sent offline.'],
      ['user', 'pending', 'Second, sent offline.'],
    ]);
    expect(await page.textContent('#connection')).toContain('Offline');
    expect(await serverHistory(workerOrigin, sessionId, await demoOwnerKey(page))).toEqual([]);

    await context.setOffline(false);
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 2);
    await waitForConnection(page, 'idle');

    const shown = await renderedMessages(page);
    const userIds = queued.map((m) => m.id);
    expect(shown.filter((m) => m.role === 'user').map((m) => [m.id, m.status])).toEqual(
      userIds.map((id) => [id, 'complete']),
    );

    const stored = await serverHistory(workerOrigin, sessionId, await demoOwnerKey(page));
    const storedUsers = stored.filter((m) => m.role === 'user');
    const storedReplies = stored.filter((m) => m.role === 'assistant');
    expect(storedUsers.map((m) => m.id).sort()).toEqual([...userIds].sort());
    // One reply per turn: the server's idempotency and the outbox never made a second one.
    expect(storedReplies.map((m) => m.replyTo).sort()).toEqual([...userIds].sort());
    expect(storedReplies.every((m) => m.status === 'complete')).toBe(true);
    expect([...acknowledged].sort()).toEqual([...userIds].sort());
  });
});

function acknowledgedTurnId(response: Response): string | undefined {
  const request = response.request();
  if (request.method() !== 'POST' || !request.url().endsWith('/api/chat') || response.status() !== 200) return undefined;
  const body = request.postDataJSON() as { message?: { id?: unknown } } | null;
  return typeof body?.message?.id === 'string' ? body.message.id : undefined;
}
