/**
 * One Chromium per test file, and a fresh context (a fresh profile: empty IndexedDB, localStorage, caches) per
 * scenario, so no scenario sees another's conversation.
 */
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';

/** Flags that keep Debian's Chromium quiet and offline-safe in a container; `--user-data-dir` is refused here. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** '' when the browser suite is skipped (no Chromium); use with `describe.skipIf(!browserAvailable)`. */
export const chromiumPath = inject('chromiumPath');
export const browserAvailable = chromiumPath !== '';
export const workerOrigin = inject('workerOrigin');

export interface BrowserHandle {
  /** A new context on the shared browser; closed after the file's tests. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
}

/**
 * Registers hooks that launch and close Chromium for the current file, and fail a test whose pages threw.
 *
 * @example
 * const browser = useBrowser();
 * it('…', async () => { const context = await browser.newContext(); … });
 */
export function useBrowser(): BrowserHandle {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  /** Uncaught exceptions and unhandled rejections in any page of the current test. */
  let pageErrors: string[] = [];
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  });
  afterEach(() => {
    const errors = pageErrors;
    pageErrors = [];
    if (errors.length > 0) throw new Error(`the page threw:\n${errors.join('\n')}`);
  });
  afterAll(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await browser?.close();
  });
  return {
    async newContext(options) {
      if (!browser) throw new Error('useBrowser: the browser is not launched yet (call newContext inside a test)');
      const context = await browser.newContext({ baseURL: workerOrigin, ...options });
      context.on('weberror', (error) => pageErrors.push(error.error().stack ?? error.error().message));
      contexts.push(context);
      return context;
    },
  };
}
