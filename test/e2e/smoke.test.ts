import { chromium } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';

const chromiumPath = inject('chromiumPath');

describe.skipIf(!chromiumPath)('browser', () => {
  it('opens the demo page', async () => {
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const res = await page.goto(inject('workerOrigin') + '/');
      expect(res?.status()).toBe(200);
    } finally {
      await browser.close();
    }
  });
});
