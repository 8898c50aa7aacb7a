import { expect, it } from 'vitest';
import { chatClientBundleBytes } from '../support/chatclient-bundle';

const LIMIT_BYTES = 9 * 1024;

it(`import { ChatClient } from 'chatkeep' stays within ${LIMIT_BYTES} bytes minified and gzipped`, async () => {
  const { gzipped } = await chatClientBundleBytes();
  expect(gzipped).toBeGreaterThan(1024);
  expect(gzipped).toBeLessThanOrEqual(LIMIT_BYTES);
});
