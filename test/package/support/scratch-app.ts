/**
 * An app outside the repository that installs the packed tarball with npm, offline: chatkeep's dependencies and
 * optional peers are linked from this repository's node_modules (`file:`), so the install needs neither the network
 * nor the npm cache (it runs with an empty one).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
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

/** The packages the app needs beside chatkeep: its own, chatkeep's dependencies and peers, their `@types`. */
function linkedDependencies(manifest: PackageManifest): Record<string, string> {
  const names = [...APP_DEPENDENCIES, ...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})];
  const typings = names.map((name) => `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`);
  const links: Record<string, string> = {};
  for (const name of [...names, ...typings]) {
    const dir = join(ROOT, 'node_modules', name);
    if (existsSync(dir)) links[name] = `file:${dir}`;
  }
  return links;
}

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
  writeFileSync(join(app, 'src/every-entry.ts'), everyEntryModule(packageEntries(manifest)));
  execFileSync(
    'npm',
    ['install', '--offline', '--cache', join(app, '.npm-cache'), '--ignore-scripts', '--no-audit', '--no-fund'],
    { cwd: app, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } },
  );
  return app;
}
