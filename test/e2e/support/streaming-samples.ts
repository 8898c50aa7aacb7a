/**
 * Watches how a streaming reply grows in a page, from the first script of every document the context loads (a
 * reload included): the text length of the `[data-status=streaming]` reply every few ms, and when `chat.ready`
 * resolved. Word-by-word streaming shows as many distinct lengths; history checkpoints as a few one-second jumps.
 */
import type { BrowserContext, Page } from 'playwright-core';

/** How often the page samples the streaming reply's text. */
const SAMPLE_INTERVAL_MS = 5;

export interface StreamingSamples {
  readyAt: number;
  samples: { at: number; length: number }[];
}

/** Installs the sampler in every document `context` opens from now on. */
export async function sampleStreaming(context: BrowserContext): Promise<void> {
  await context.addInitScript((intervalMs: number) => {
    const record: NonNullable<Window['streamingSamples']> = { samples: [] };
    window.streamingSamples = record;
    setInterval(() => {
      const row = document.querySelector('[data-role="assistant"][data-status="streaming"] .message-content');
      if (row) record.samples.push({ at: performance.now(), length: row.textContent?.length ?? 0 });
      // Before the app runs, `window.chat` may be the page's element of that id: only the client has `ready`.
      const ready = window.chat?.ready;
      if (ready instanceof Promise && !('waiting' in record)) {
        Object.assign(record, { waiting: true });
        void ready.then(() => (record.readyAt = performance.now()));
      }
    }, intervalMs);
  }, SAMPLE_INTERVAL_MS);
}

/** What the sampler saw in `page`'s current document. */
export async function streamingSamples(page: Page): Promise<StreamingSamples> {
  const seen = await page.evaluate(() => window.streamingSamples);
  if (seen?.readyAt === undefined) throw new Error('the page never reported chat.ready');
  return { readyAt: seen.readyAt, samples: seen.samples };
}

/** The samples after `ready`: when the text first grew past what it showed at `ready`, and its distinct lengths. */
export function growthAfterReady({ readyAt, samples }: StreamingSamples): { firstGrowthMs: number; distinctLengths: number } {
  const after = samples.filter((sample) => sample.at >= readyAt);
  const atReady = after[0]?.length ?? 0;
  const grown = after.find((sample) => sample.length > atReady);
  return {
    firstGrowthMs: grown === undefined ? Number.POSITIVE_INFINITY : grown.at - readyAt,
    distinctLengths: new Set(after.map((sample) => sample.length)).size,
  };
}
