import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { rollup, type Plugin } from 'rollup';

// The SDK as an app imports it: `import { ChatClient } from 'chatkeep'` from the built package (`npm run build`),
// tree-shaken and minified as rollup.config.mjs does for the browser, with idb and eventsource-parser bundled in.
const PACKAGE_ENTRY = resolve(import.meta.dirname, '../../dist/index.js');
const APP = '\0app-importing-chatclient';
export const APP_SOURCE = "import { ChatClient } from 'chatkeep'; export const chat = new ChatClient();";

/** Bytes of an app entry importing `ChatClient` from the built package: minified, and gzipped at level 9. */
export async function chatClientBundleBytes(): Promise<{ gzipped: number; minified: number }> {
  const app: Plugin = {
    name: 'app',
    resolveId: (id) => (id === APP ? APP : id === 'chatkeep' ? PACKAGE_ENTRY : null),
    load: (id) => (id === APP ? APP_SOURCE : null),
  };
  const bundle = await rollup({ input: APP, plugins: [app, nodeResolve({ browser: true }), terser({ ecma: 2020, module: true })] });
  const { output } = await bundle.generate({ format: 'es' });
  await bundle.close();
  const code = output[0].code;
  return { gzipped: gzipSync(code, { level: 9 }).length, minified: code.length };
}
