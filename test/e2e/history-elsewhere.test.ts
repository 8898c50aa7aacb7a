// Scenario 8: turns written by another device (straight to the API) appear after a reload.
import { describe, expect, it } from 'vitest';
import { openDemo, renderedMessages, waitForConnection, waitForCount } from './support/demo-page';
import { browserAvailable, useBrowser, workerOrigin } from './support/browser';
import { newSessionId, sendFromNode } from './support/worker-api';

describe.skipIf(!browserAvailable)('history written elsewhere', () => {
  const browser = useBrowser();

  it('shows another device’s exchange after a reload', async () => {
    const sessionId = newSessionId();
    const page = await openDemo(await browser.newContext(), sessionId);
    await waitForConnection(page, 'idle');
    expect(await renderedMessages(page)).toEqual([]);

    const userTurn = { id: newSessionId(), content: 'Sent from my phone.' };
    const reply = await sendFromNode(workerOrigin, sessionId, userTurn);

    await page.reload();
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 1);
    expect(await renderedMessages(page)).toEqual([
      { id: userTurn.id, role: 'user', status: 'complete', content: userTurn.content },
      { id: reply.id, role: 'assistant', status: 'complete', content: reply.content },
    ]);
  });
});
