// Scenario 5: a turn queued offline survives closing the tab; the page opened again online sends and answers it.
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
import { serverHistory } from '../support/server-history';

describe.skipIf(!browserAvailable)('outbox across a closed tab', () => {
  const browser = useBrowser();

  it('sends the queued turn when the page is opened again online', async () => {
    const context = await browser.newContext();
    const first = await openDemo(context);
    const sessionId = await openSessionId(first);
    const ownerKey = await demoOwnerKey(first);
    await waitForConnection(first, 'idle');

    await context.setOffline(true);
    await waitForConnection(first, 'offline');
    await sendFromComposer(first, 'Queued while offline, then the tab closed.');
    await waitForCount(first, { role: 'user', status: 'pending' }, 1);
    await waitForSendsSettled(first);
    const [queued] = await renderedMessages(first);
    await first.close();
    expect(await serverHistory(workerOrigin, sessionId, ownerKey)).toEqual([]);

    await context.setOffline(false);
    // No ?session=: the page reopens the last conversation used in this browser.
    const second = await openDemo(context);
    expect(await openSessionId(second)).toBe(sessionId);
    await waitForCount(second, { role: 'assistant', status: 'complete' }, 1);

    const shown = await renderedMessages(second);
    expect(shown.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
    ]);
    expect(shown[0]).toMatchObject({ id: queued?.id, content: 'Queued while offline, then the tab closed.' });

    const stored = await serverHistory(workerOrigin, sessionId, ownerKey);
    expect(stored.map((m) => [m.role, m.id, m.status])).toEqual([
      ['user', queued?.id, 'complete'],
      ['assistant', shown[1]?.id, 'complete'],
    ]);
  });
});
