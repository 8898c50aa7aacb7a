/**
 * An app outside the repository that installs the packed tarball with npm, offline: chatkeep's dependencies and
 * optional peers are linked from this repository's node_modules (`file:`), so the install needs neither the network
 * nor the npm cache (it runs with an empty one).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, type PackageManifest } from './pack';

/** The scratch app's sources: tsconfigs and files that use the package as an app would. */
const TEMPLATE = join(ROOT, 'test/package/scratch-app');

export interface PackageEntry {
  /** The key in `exports`, e.g. `./worker`. */
  subpath: string;
  /** What an app imports, e.g. `chatkeep/worker`. */
  specifier: string;
}

/** Every code entry the package exports (all of `exports` but `./package.json`). */
export function packageEntries(manifest: PackageManifest): PackageEntry[] {
  return Object.keys(manifest.exports)
    .filter((subpath) => !subpath.endsWith('.json'))
    .map((subpath) => ({ subpath, specifier: subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}` }));
}

/** One module importing every entry, so the typecheck covers entries added later without editing this suite. */
export function everyEntryModule(entries: PackageEntry[]): string {
  const imports = entries.map((entry, index) => `import * as entry${index} from '${entry.specifier}';`);
  const table = entries.map((entry, index) => `  '${entry.specifier}': entry${index},`);
  return [...imports, '', 'export const entries = {', ...table, '};', ''].join('\n');
}

/** What the scratch app's own files import, besides chatkeep: the Workers types its Worker half names. */
const APP_DEPENDENCIES = ['@cloudflare/workers-types'];

/**
 * What an app that uses the AI SDK installs for `ai`'s own published typings: they name Node's `Buffer` and
 * `node:http`, and `@ai-sdk/provider` imports `json-schema`, whose types `ai` does not install. Such an app also
 * lists `node` in its tsconfig `types` (tsconfig.ai-sdk.json here).
 */
const AI_SDK_TYPINGS = ['@types/node', '@types/json-schema'];

/** The packages the app needs beside chatkeep: its own, chatkeep's dependencies and peers, their `@types`. */
function linkedDependencies(manifest: PackageManifest): Record<string, string> {
  const names = [...APP_DEPENDENCIES, ...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})];
  const typings = names.map((name) => `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`);
  if (names.includes('ai')) typings.push(...AI_SDK_TYPINGS);
  const links: Record<string, string> = {};
  for (const name of [...names, ...typings]) {
    const dir = join(ROOT, 'node_modules', name);
    if (existsSync(dir)) links[name] = `file:${dir}`;
  }
  return links;
}

/** Imports every entry whose typings need only the DOM lib; tsconfig.json and tsconfig.nodenext.json check it. */
export const DOM_ONLY_ENTRIES = 'src/every-entry.ts';
/** Imports every entry whose typings import `ai`; only the tsconfig.ai-sdk configs give what `ai`'s typings need. */
export const AI_SDK_ENTRIES = 'src/ai-sdk-entries.ts';

export function installScratchApp(tarball: string, manifest: PackageManifest): string {
  const app = mkdtempSync(join(tmpdir(), 'chatkeep-app-'));
  cpSync(TEMPLATE, app, { recursive: true });
  const appManifest = {
    name: 'chatkeep-scratch-app',
    private: true,
    type: 'module',
    dependencies: { [manifest.name]: `file:${tarball}`, ...linkedDependencies(manifest) },
  };
  writeFileSync(join(app, 'package.json'), `${JSON.stringify(appManifest, null, 2)}\n`);
  execFileSync(
    'npm',
    ['install', '--offline', '--cache', join(app, '.npm-cache'), '--ignore-scripts', '--no-audit', '--no-fund'],
    { cwd: app, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } },
  );
  // Written once installed: which file an entry goes in depends on the typings the tarball holds.
  const entries = packageEntries(manifest);
  const aiSdkEntries = entries.filter((entry) => typingsImportAi(app, manifest, entry));
  writeFileSync(join(app, DOM_ONLY_ENTRIES), everyEntryModule(entries.filter((entry) => !aiSdkEntries.includes(entry))));
  writeFileSync(join(app, AI_SDK_ENTRIES), everyEntryModule(aiSdkEntries));
  return app;
}

/** Whether the installed typings of an entry import the `ai` peer. */
export function typingsImportAi(app: string, manifest: PackageManifest, entry: PackageEntry): boolean {
  const target = manifest.exports[entry.subpath];
  const typesPath = typeof target === 'object' ? target.types : undefined;
  if (typesPath === undefined) throw new Error(`${entry.specifier} declares no typings in exports`);
  const typings = readFileSync(join(app, 'node_modules', manifest.name, typesPath), 'utf8');
  return /from\s*['"]ai['"]/.test(typings);
}
