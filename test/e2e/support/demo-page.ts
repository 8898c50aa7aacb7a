/**
 * Drives the demo page the way a person does (the composer, the buttons) and reads it the way a script does (the
 * `data-*` attributes on each rendered message).
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { MessageStatus, Role } from '../../../sdk/protocol';

/** One rendered message, as the page shows it. */
export interface RenderedMessage {
  id: string;
  role: Role;
  status: MessageStatus;
  content: string;
}

/** How long a scenario waits for the page to reach a state before failing. */
const UI_TIMEOUT_MS = 20_000;

/** Opens the demo in a new tab; `sessionId` adds `?session=`, otherwise the page picks (last one, else new). */
export async function openDemo(context: BrowserContext, sessionId?: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(sessionId === undefined ? '/' : `/?session=${encodeURIComponent(sessionId)}`);
  await page.waitForFunction(() => window.chat !== undefined, undefined, { timeout: UI_TIMEOUT_MS });
  return page;
}

/** The session the page has open, as `window.chat` reports it. */
export async function openSessionId(page: Page): Promise<string> {
  return page.evaluate(() => {
    if (!window.chat) throw new Error('window.chat is not set');
    return window.chat.sessionId;
  });
}

/** The owner key the page sends (the demo makes one per browser, or takes one from a "use on another device" link). */
export async function demoOwnerKey(page: Page): Promise<string> {
  const key = await page.evaluate(() => window.conversations?.ownerKey);
  if (key === undefined) throw new Error('window.conversations has no owner key');
  return key;
}

/** Types into the composer and presses Enter. */
export async function sendFromComposer(page: Page, text: string): Promise<void> {
  const box = page.locator('form#composer textarea[name=message]');
  await box.fill(text);
  await box.press('Enter');
}

/** Every rendered message, in page order. */
export async function renderedMessages(page: Page): Promise<RenderedMessage[]> {
  return page.$$eval('[data-message-id]', (elements) =>
    elements.map((element) => {
      const el = element as HTMLElement;
      return {
        id: el.dataset.messageId ?? '',
        role: el.dataset.role as RenderedMessage['role'],
        status: el.dataset.status as RenderedMessage['status'],
        content: el.querySelector('.message-content')?.textContent ?? '',
      };
    }),
  );
}

/** Waits until exactly `count` messages with this role and status are rendered. */
export async function waitForCount(
  page: Page,
  selector: { role: Role; status: MessageStatus },
  count: number,
): Promise<void> {
  await explainTimeout(page, `${count} ${selector.role} turn(s) ${selector.status}`, () =>
    page.waitForFunction(
      ({ role, status, count: n }) =>
        document.querySelectorAll(`[data-message-id][data-role="${role}"][data-status="${status}"]`).length === n,
      { ...selector, count },
      { timeout: UI_TIMEOUT_MS },
    ),
  );
}

/** Runs a wait; if it fails, says what was awaited and what the page showed instead. */
async function explainTimeout(page: Page, awaited: string, wait: () => Promise<unknown>): Promise<void> {
  try {
    await wait();
  } catch (error) {
    const shown = await renderedMessages(page).catch(() => []);
    const state = await page.getAttribute('#connection', 'data-state').catch(() => null);
    const rows = shown.map((m) => `  ${m.role} ${m.status} ${JSON.stringify(m.content.slice(0, 40))}`);
    throw new Error(`waited for ${awaited}; the page shows (connection ${state}):\n${rows.join('\n')}`, {
      cause: error,
    });
  }
}

/** Waits until a reply is streaming and shows at least `minChars` of text; returns its id. */
export async function waitForStreamingText(page: Page, minChars = 1): Promise<string> {
  let id = '';
  await explainTimeout(page, `a streaming reply of ${minChars}+ characters`, async () => {
    id = (await waitForStreamingRow(page, minChars)) ?? '';
  });
  return id;
}

async function waitForStreamingRow(page: Page, minChars: number): Promise<string | undefined> {
  const handle = await page.waitForFunction(
    (min) => {
      const rows = document.querySelectorAll<HTMLElement>('[data-role="assistant"][data-status="streaming"]');
      for (const row of rows) {
        if ((row.querySelector('.message-content')?.textContent ?? '').length >= min) return row.dataset.messageId;
      }
      return undefined;
    },
    minChars,
    { timeout: UI_TIMEOUT_MS, polling: 'raf' },
  );
  return handle.jsonValue();
}

/** Waits until the header shows this connection state (`idle` reads "Online"). */
export async function waitForConnection(page: Page, state: 'idle' | 'syncing' | 'streaming' | 'offline'): Promise<void> {
  await page.waitForSelector(`#connection[data-state="${state}"]`, { timeout: UI_TIMEOUT_MS });
}

/** Waits until every send started from the composer has settled (a queued offline turn counts as settled). */
export async function waitForSendsSettled(page: Page): Promise<void> {
  await page.waitForSelector('form#composer[data-in-flight="0"]', { timeout: UI_TIMEOUT_MS });
}
