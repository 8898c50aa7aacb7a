/**
 * Packs chatkeep as `npm publish` would, from a copy of the sources with no build outputs in it (as a fresh clone
 * has), so the tarball proves that `prepack` builds what the package ships.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');

/** What a clone holds that the build reads; `dist/` and `demo/build/` are left out on purpose. */
const SOURCES = ['package.json', 'package-lock.json', 'README.md', 'LICENSE', 'rollup.config.mjs', 'tsconfig.json', 'sdk', 'worker', 'demo'];
const BUILD_OUTPUTS = ['dist', join('demo', 'build')];

export interface PackageManifest {
  name: string;
  version: string;
  exports: Record<string, string | Record<string, string>>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export interface PackedPackage {
  /** Absolute path of the `.tgz`. */
  tarball: string;
  /** Paths inside the package, e.g. `dist/index.js`. */
  files: string[];
  manifest: PackageManifest;
}

export function readManifest(): PackageManifest {
  return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageManifest;
}

export function packFreshCopy(workDir: string): PackedPackage {
  const copy = mkdtempSync(join(tmpdir(), 'chatkeep-clone-'));
  for (const entry of SOURCES) {
    cpSync(join(ROOT, entry), join(copy, entry), {
      recursive: true,
      filter: (source) => !BUILD_OUTPUTS.some((output) => relative(ROOT, source).split(sep).join('/') === output.split(sep).join('/')),
    });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  let report: string;
  try {
    report = execFileSync('npm', ['pack', '--json', '--pack-destination', workDir], {
      cwd: copy,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' },
    });
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
  // npm prints the prepack script's output on stderr and only the pack report on stdout.
  const packed = JSON.parse(report) as [{ filename: string; files: { path: string }[] }];
  return {
    tarball: join(workDir, packed[0].filename),
    files: packed[0].files.map((file) => file.path),
    manifest: readManifest(),
  };
}
