import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';

// The SDK as a browser downloads it: minified, with idb and eventsource-parser bundled (made by `npm run build`).
const BUNDLE = resolve(import.meta.dirname, '../../demo/build/chatkeep.js');
const LIMIT_BYTES = 6 * 1024;

it(`demo/build/chatkeep.js stays within ${LIMIT_BYTES} bytes gzipped`, () => {
  const source = readFileSync(BUNDLE);
  const gzipped = gzipSync(source, { level: 9 }).length;
  expect(source.toString()).toContain('ChatClient');
  expect(gzipped).toBeLessThanOrEqual(LIMIT_BYTES);
});
