/**
 * The stale-bundle trap of two-step builds: the page must load the SDK that the one build command makes from the
 * sources as they are now. This rebuilds the demo's outputs from the repo's own rollup.config.mjs into a temporary
 * folder and compares them, byte for byte, with what the running Worker serves.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';
import { afterAll, describe, expect, inject, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SERVED_DIR = 'demo/build/';
const origin = inject('workerOrigin');

interface DemoOutput {
  options: RollupOptions;
  output: OutputOptions & { file: string };
}

async function demoBuildConfigs(): Promise<DemoOutput[]> {
  const url = pathToFileURL(join(ROOT, 'rollup.config.mjs')).href;
  const module = (await import(/* @vite-ignore */ url)) as { default: RollupOptions | RollupOptions[] };
  const configs = Array.isArray(module.default) ? module.default : [module.default];
  const outputs: DemoOutput[] = [];
  for (const options of configs) {
    const output = options.output;
    if (output === undefined || Array.isArray(output)) continue;
    const file = output.file;
    if (file?.startsWith(SERVED_DIR)) outputs.push({ options, output: { ...output, file } });
  }
  return outputs;
}

describe('the demo serves a fresh build', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'chatkeep-fresh-build-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  // Two full builds (the minified SDK, and the minified app with its Markdown libraries): on a busy machine they
  // take longer than the suite's default timeout.
  const freshBuild = 'serves /build/chatkeep.js and /build/app.js exactly as a fresh build of the current sources';
  it(freshBuild, { timeout: 180_000 }, async () => {
    const outputs = await demoBuildConfigs();
    expect(outputs.map((o) => basename(o.output.file)).sort()).toEqual(['app.js', 'chatkeep.js']);

    for (const { options, output } of outputs) {
      const name = basename(output.file);
      const bundle = await rollup({ ...options, onwarn: () => {} });
      try {
        await bundle.write({ ...output, file: join(outDir, name) });
      } finally {
        await bundle.close();
      }
      const fresh = readFileSync(join(outDir, name), 'utf8');
      const res = await fetch(`${origin}/build/${name}`);
      expect(res.status, `GET /build/${name}`).toBe(200);
      const served = await res.text();
      expect(fresh.length, `${name}: fresh build is empty`).toBeGreaterThan(0);
      // Not toEqual on the text: a diff of minified bundles is unreadable; say what to do instead.
      expect(served === fresh, `/build/${name} differs from a fresh build: run \`npm run build\``).toBe(true);
    }
  });

  it('loads the app from /build/app.js, and the app loads the SDK from ./chatkeep.js', async () => {
    const html = await (await fetch(`${origin}/`)).text();
    expect(html).toMatch(/<script type="module" src="\/build\/app\.js"><\/script>/);
    const app = await (await fetch(`${origin}/build/app.js`)).text();
    expect(app).toMatch(/from\s*["']\.\/chatkeep\.js["']/);
  });

  it('bundles the Markdown libraries into the demo only, never into the SDK', async () => {
    const app = await (await fetch(`${origin}/build/app.js`)).text();
    const sdk = await (await fetch(`${origin}/build/chatkeep.js`)).text();
    const sdkPackage = readFileSync(join(ROOT, 'dist/index.js'), 'utf8');
    // DOMPurify's licence banner survives minification: a reliable mark of where the library went.
    expect(app).toContain('DOMPurify');
    for (const [name, text] of [
      ['/build/chatkeep.js', sdk],
      ['dist/index.js', sdkPackage],
    ] as const) {
      expect(text, name).not.toContain('DOMPurify');
      expect(text, name).not.toMatch(/from\s*["'](marked|dompurify)["']/);
    }
  });

  it('keeps the sources and the README screenshot out of the served assets', async () => {
    for (const path of ['/src/app.ts', '/screenshot.png']) {
      const res = await fetch(`${origin}${path}`);
      await res.arrayBuffer();
      expect(res.status, path).not.toBe(200);
    }
  });
});
