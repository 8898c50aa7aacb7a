import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { rollup, type Plugin } from 'rollup';
import { expect, it } from 'vitest';

// The SDK as an app imports it: `import { ChatClient } from 'chatkeep'` from the built package (`npm run build`),
// tree-shaken, minified, with idb and eventsource-parser bundled in.
const PACKAGE_ENTRY = resolve(import.meta.dirname, '../../dist/index.js');
const APP = '\0app-importing-chatclient';
const LIMIT_BYTES = 9 * 1024;

/** Gzipped bytes of an app entry importing `ChatClient` from the built package. */
export async function chatClientBundleBytes(): Promise<{ gzipped: number; minified: number }> {
  const app: Plugin = {
    name: 'app',
    resolveId: (id) => (id === APP ? APP : id === 'chatkeep' ? PACKAGE_ENTRY : null),
    load: (id) => (id === APP ? "import { ChatClient } from 'chatkeep'; export const chat = new ChatClient();" : null),
  };
  const bundle = await rollup({ input: APP, plugins: [app, nodeResolve({ browser: true }), terser({ ecma: 2020, module: true })] });
  const { output } = await bundle.generate({ format: 'es' });
  await bundle.close();
  const code = output[0].code;
  return { gzipped: gzipSync(code, { level: 9 }).length, minified: code.length };
}

it(`import { ChatClient } from 'chatkeep' stays within ${LIMIT_BYTES} bytes minified and gzipped`, async () => {
  const { gzipped } = await chatClientBundleBytes();
  expect(gzipped).toBeGreaterThan(1024);
  expect(gzipped).toBeLessThanOrEqual(LIMIT_BYTES);
});
