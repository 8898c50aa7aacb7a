// Row 7: the SDK as an app imports it (`import { ChatClient } from 'chatkeep'`, tree-shaken), against its two
// dependencies alone, bundled the same way.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { rollup, type Plugin } from 'rollup';
import { expect, it } from 'vitest';
import { report } from '../figures';
import { APP_SOURCE, chatClientBundleBytes } from '../../support/chatclient-bundle';

const ROOT = resolve(import.meta.dirname, '../../..');
const DEPENDENCIES = ['idb', 'eventsource-parser'] as const;
const ENTRY = '\0dependencies-only';

const gzipBytes = (code: string | Uint8Array) => gzipSync(code, { level: 9 }).byteLength;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** The values (not types) the SDK's sources import from each dependency. */
function importedValues(): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>(DEPENDENCIES.map((d) => [d, new Set<string>()]));
  const pattern = /import\s*\{([^}]*)\}\s*from\s*'([^']+)'/g;
  for (const file of sourceFiles(join(ROOT, 'sdk'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(pattern)) {
      const names = used.get(match[2] ?? '');
      if (names === undefined) continue;
      for (const raw of (match[1] ?? '').split(',')) {
        const name = raw.trim();
        if (name !== '' && !name.startsWith('type ')) names.add(name.split(/\s+as\s+/)[0] ?? name);
      }
    }
  }
  return used;
}

it('bundle size: ChatClient as an app imports it, gzipped, vs idb + eventsource-parser alone', async () => {
  const sdk = await chatClientBundleBytes();
  const used = importedValues();
  const entryCode = [...used]
    .filter(([, names]) => names.size > 0)
    .map(([dependency, names]) => `export { ${[...names].join(', ')} } from '${dependency}';`)
    .join('\n');
  expect(entryCode).not.toBe('');
  const entry: Plugin = {
    name: 'dependencies-only',
    resolveId: (id) => (id === ENTRY ? ENTRY : null),
    load: (id) => (id === ENTRY ? entryCode : null),
  };
  // The same plugins and options rollup.config.mjs uses for demo/build/chatkeep.js.
  const bundle = await rollup({ input: ENTRY, plugins: [entry, nodeResolve({ browser: true }), terser({ ecma: 2020, module: true })] });
  const { output } = await bundle.generate({ format: 'es' });
  await bundle.close();
  const floorCode = output[0].code;

  const sdkGzip = sdk.gzipped;
  const floorGzip = gzipBytes(floorCode);
  report({
    row: 7,
    order: 1,
    measure: "Bundle size, `import { ChatClient } from 'chatkeep'` minified + gzipped (dependencies included)",
    chatkeep: `${kib(sdkGzip)} = ${sdkGzip.toLocaleString('en')} B (${kib(sdk.minified)} min)`,
    baseline: `${kib(floorGzip)} (${kib(floorCode.length)} min)`,
    baselineName: `${entryCode.replace(/\n/g, ' ').replace(/export /g, '').replace(/;/g, '')} alone`,
    ratio: `${(sdkGzip / floorGzip).toFixed(1)}x; chatkeep's own code ${kib(sdkGzip - floorGzip)}`,
    goal: '<= 10 KiB gzipped',
    met: sdkGzip <= 10 * 1024,
    method: `an app entry \`${APP_SOURCE}\` bundled from dist/index.js (\`npm run build\`) by rollup + node-resolve + terser as rollup.config.mjs does; the floor bundled by the same plugins from an entry re-exporting what sdk/ imports; gzip -9 (node zlib)`,
  });
});
