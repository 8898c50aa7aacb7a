/** Screenshots kept as test artifacts in test-results/ (gitignored), to look at after a run. */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';

const RESULTS_DIR = resolve(import.meta.dirname, '../../../test-results');

/** Saves `test-results/<name>.png` and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  // Transitions (the drawer sliding in) are finished first, so the picture shows where things settle.
  await page.screenshot({ path, animations: 'disabled' });
  return path;
}
