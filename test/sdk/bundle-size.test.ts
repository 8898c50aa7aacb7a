import { expect, it } from 'vitest';
import { chatClientBundleBytes } from '../support/chatclient-bundle';

// 9 KiB until replies had parts; issue 19 allows 10 KiB with them (validating parts and folding the reasoning,
// tool-call and tool-result events added 585 bytes, measured at 9,797 against 9,212 before).
const LIMIT_BYTES = 10 * 1024;

it(`import { ChatClient } from 'chatkeep' stays within ${LIMIT_BYTES} bytes minified and gzipped`, async () => {
  const { gzipped } = await chatClientBundleBytes();
  expect(gzipped).toBeGreaterThan(1024);
  expect(gzipped).toBeLessThanOrEqual(LIMIT_BYTES);
});
