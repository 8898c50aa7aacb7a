// The React example (demo/react, built with chatkeep/react) in real Chromium, under StrictMode's double mount.
import type { BrowserContext, Page } from 'playwright-core';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ChatApp, type ChatAppProps } from '../../demo/react/src/chat-app';
import { renderedMessages, sendFromComposer, waitForCount, waitForStreamingText } from './support/demo-page';
import { browserAvailable, useBrowser, workerOrigin } from './support/browser';
import { serverHistory } from '../support/server-history';
import { newSessionId, sendFromNode } from './support/worker-api';

const PROMPT = 'How does a React page keep its chat?';

declare global {
  interface Window {
    reactExample?: { mounts: number };
    /** Set by the test's init script: how often each IndexedDB database was opened in this page load. */
    databaseOpens?: Record<string, number>;
  }
}

/** Opens the React example (a new conversation, or `sessionId`), counting IndexedDB opens and console errors. */
async function openReactExample(context: BrowserContext, consoleErrors: string[], sessionId?: string): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  await page.addInitScript(() => {
    const open = indexedDB.open.bind(indexedDB);
    window.databaseOpens = {};
    indexedDB.open = (name: string, version?: number) => {
      window.databaseOpens![name] = (window.databaseOpens![name] ?? 0) + 1;
      return open(name, version);
    };
  });
  await page.goto(sessionId === undefined ? '/react/' : `/react/?session=${sessionId}`);
  await waitForLoaded(page);
  return page;
}

const waitForLoaded = (page: Page) => page.waitForSelector('#connection[data-loaded="true"]', { timeout: 20_000 });
const sessionOf = (page: Page) => new URL(page.url()).searchParams.get('session') ?? '';

describe.skipIf(!browserAvailable)('the React example', () => {
  const browser = useBrowser();

  it('sends, streams the reply, and keeps it across reloads (one client despite the double mount)', async () => {
    const consoleErrors: string[] = [];
    const context = await browser.newContext();
    const page = await openReactExample(context, consoleErrors);
    // StrictMode mounted the app twice (a development build), yet only one client opened the database.
    expect(await page.evaluate(() => window.reactExample?.mounts)).toBe(2);
    expect(await page.evaluate(() => window.databaseOpens)).toEqual({ chatkeep: 1 });
    const sessionId = sessionOf(page);
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{8,128}$/);

    await sendFromComposer(page, PROMPT);
    const streamingId = await waitForStreamingText(page, 5);
    // Reloaded in the middle of the reply: the page picks it up again and shows it to its end.
    await page.reload();
    await waitForLoaded(page);
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 1);

    const shown = await renderedMessages(page);
    const stored = await serverHistory(workerOrigin, sessionId);
    expect(stored.map((m) => [m.id, m.role, m.status, m.content])).toEqual(shown.map((m) => [m.id, m.role, m.status, m.content]));
    expect(shown.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(shown[0]?.content).toBe(PROMPT);
    expect(shown[1]?.id).toBe(streamingId);
    expect(shown[1]?.content.trim().split(/\s+/).length).toBeGreaterThanOrEqual(40);

    // A later visit to the same conversation shows it from the browser's cache.
    const again = await openReactExample(context, consoleErrors, sessionId);
    await waitForCount(again, { role: 'assistant', status: 'complete' }, 1);
    expect(await renderedMessages(again)).toEqual(shown);
    expect(consoleErrors).toEqual([]);
  });

  it('stops a streaming reply and clears the conversation', async () => {
    const consoleErrors: string[] = [];
    const page = await openReactExample(await browser.newContext(), consoleErrors);
    await sendFromComposer(page, 'Tell me a long story about tides.');
    await waitForStreamingText(page, 5);
    await page.click('#stop');
    await waitForCount(page, { role: 'assistant', status: 'aborted' }, 1);
    const stopped = (await renderedMessages(page)).find((m) => m.role === 'assistant');
    const stored = (await serverHistory(workerOrigin, sessionOf(page))).find((m) => m.role === 'assistant');
    expect(stored).toMatchObject({ status: 'aborted', content: stopped?.content });

    await page.click('#clear-chat');
    await page.waitForSelector('.empty', { timeout: 20_000 });
    expect(await renderedMessages(page)).toEqual([]);
    expect(await serverHistory(workerOrigin, sessionOf(page))).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('hydrates a page rendered on a server with the conversation, without a mismatch', async () => {
    const sessionId = newSessionId();
    await sendFromNode(workerOrigin, sessionId, { id: newSessionId(), content: 'Render me on a server' });
    const props: ChatAppProps = { sessionId, initialMessages: await serverHistory(workerOrigin, sessionId) };
    const markup = renderToString(createElement(ChatApp, props));
    expect(markup).toContain('Render me on a server');

    const consoleErrors: string[] = [];
    const context = await browser.newContext();
    // The page as a server would send it: the markup in #root, and the props it was rendered with.
    await context.route('**/react/?server-rendered', async (route) => {
      const page = await (await route.fetch()).text();
      const state = JSON.stringify(props).replaceAll('<', '\\u003c');
      await route.fulfill({
        contentType: 'text/html',
        body: page.replace(
          '<div id="root"></div>',
          `<div id="root">${markup}</div><script type="application/json" id="server-state">${state}</script>`,
        ),
      });
    });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') consoleErrors.push(message.text());
    });
    await page.goto('/react/?server-rendered');
    await waitForLoaded(page);
    await waitForCount(page, { role: 'assistant', status: 'complete' }, 1);
    expect((await renderedMessages(page)).map((m) => [m.id, m.content])).toEqual(
      props.initialMessages!.map((m) => [m.id, m.content]),
    );
    expect(sessionOf(page)).toBe(sessionId);
    expect(consoleErrors).toEqual([]);
  });
});
