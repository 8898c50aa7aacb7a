/**
 * The package as npm ships it: packed from a fresh copy of the sources (so `prepack` must build), linted by publint
 * and arethetypeswrong, installed into an app outside the repository and type-checked there with the tsconfigs an
 * app would have. Entries come from package.json `exports`, so every entry added later is covered.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packFreshCopy, readManifest, ROOT, type PackedPackage } from './support/pack';
import { AI_SDK_ENTRIES, DOM_ONLY_ENTRIES, installScratchApp, packageEntries, typingsImportAi } from './support/scratch-app';

const BIN = join(ROOT, 'node_modules/.bin');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const PACK_TIMEOUT_MS = 240_000;

/** Runs a command and returns its combined output; a failing command fails the test with that output. */
function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  const output = `${result.stdout}${result.stderr}`;
  expect(result.status, `${command} ${args.join(' ')}\n${output}`).toBe(0);
  return output;
}

/** Every path an `exports` entry points at, e.g. `dist/worker.d.ts`. */
function exportedFiles(target: string | Record<string, string>): string[] {
  const paths = typeof target === 'string' ? [target] : Object.values(target);
  return paths.map((path) => path.replace(/^\.\//, ''));
}

describe('the packed package', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'chatkeep-pack-'));
  let packed: PackedPackage;

  beforeAll(() => {
    packed = packFreshCopy(workDir);
  }, PACK_TIMEOUT_MS);
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('holds the built code and typings of every export, the LICENSE and the README', () => {
    const expected = Object.values(packed.manifest.exports).flatMap(exportedFiles);
    expect(packed.files).toEqual(expect.arrayContaining([...expected, 'LICENSE', 'README.md']));
  });

  it('passes publint', () => {
    const output = run(join(BIN, 'publint'), ['run', packed.tarball, '--strict'], workDir);
    expect(output).toContain('All good');
  });

  it('passes arethetypeswrong for ESM consumers (node16 and bundlers)', () => {
    // esm-only: the package has no CommonJS build, so node10 and require() resolutions are not its audience.
    run(join(BIN, 'attw'), [packed.tarball, '--profile', 'esm-only'], workDir);
  });

  describe('installed into an app outside the repository', () => {
    let app: string;

    beforeAll(() => {
      app = installScratchApp(packed.tarball, packed.manifest);
    }, PACK_TIMEOUT_MS);
    afterAll(() => rmSync(app, { recursive: true, force: true }));

    it('covers every entry in package.json exports, DOM-only unless its typings import `ai`', () => {
      const domOnly = readFileSync(join(app, DOM_ONLY_ENTRIES), 'utf8');
      const aiSdk = readFileSync(join(app, AI_SDK_ENTRIES), 'utf8');
      const manifest = readManifest();
      // Only the AI SDK entries (the adapter, the Worker's aiSdkModel) may require what the typings of `ai` need;
      // every other entry stays DOM-only.
      const aiSdkSpecifiers = packageEntries(manifest).filter((entry) => typingsImportAi(app, manifest, entry)).map((entry) => entry.specifier);
      expect(aiSdkSpecifiers).toEqual(['chatkeep/worker/ai-sdk', 'chatkeep/ai-sdk']);
      for (const entry of packageEntries(manifest)) {
        const needsAiTypings = typingsImportAi(app, manifest, entry);
        expect(domOnly.includes(`from '${entry.specifier}'`), entry.specifier).toBe(!needsAiTypings);
        expect(aiSdk.includes(`from '${entry.specifier}'`), entry.specifier).toBe(needsAiTypings);
      }
    });

    it.each([
      ['tsconfig.json', 'one tsconfig for both halves: DOM lib, Workers types imported, bundler resolution, no @types/node'],
      ['tsconfig.nodenext.json', 'the same with NodeNext resolution'],
      ['tsconfig.worker.json', 'a Worker-only project with the Workers types as ambient globals'],
      ['tsconfig.mixed.json', 'the Workers types as ambient globals beside the DOM lib, skipLibCheck on'],
      ['tsconfig.ai-sdk.json', 'an app that uses the AI SDK: tsconfig.json with what the typings of `ai` need, every entry'],
      ['tsconfig.ai-sdk.nodenext.json', 'the same with NodeNext resolution'],
    ])('type-checks with %s (%s), the package typings included', (tsconfig) => {
      run(process.execPath, [TSC, '-p', tsconfig], app);
    }, 60_000);

    it('loads every entry that runs in node', () => {
      const script = packageEntries(packed.manifest)
        .filter((entry) => !importsWorkerdModules(app, entry.specifier))
        .map((entry) => `if (Object.keys(await import('${entry.specifier}')).length === 0) throw new Error('${entry.specifier} is empty');`)
        .join('\n');
      run(process.execPath, ['--input-type=module', '-e', script], app);
    });
  });
});

/** An entry whose code imports `cloudflare:` modules runs only in workerd; node cannot load it. */
function importsWorkerdModules(app: string, specifier: string): boolean {
  const file = execFileSync(process.execPath, ['--input-type=module', '-e', `console.log(import.meta.resolve('${specifier}'))`], {
    cwd: app,
    encoding: 'utf8',
  }).trim();
  return /from\s*['"]cloudflare:/.test(readFileSync(new URL(file), 'utf8'));
}
