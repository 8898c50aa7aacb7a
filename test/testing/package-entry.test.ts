// The `chatkeep/testing` entry as published: the README's example is the test file that runs, and nothing of the
// entry reaches what a browser downloads.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const EXAMPLE = 'test/testing/readme-example.test.ts';

function sourcesUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('chatkeep/testing as published', () => {
  it("has the README's example, character for character, in the test file npm test runs", () => {
    const readme = read('README.md');
    const marker = `<!-- readme-example: ${EXAMPLE} -->\n\`\`\`ts\n`;
    const start = readme.indexOf(marker);
    expect(start, 'README.md names the example file before its code block').toBeGreaterThan(-1);
    const body = readme.slice(start + marker.length, readme.indexOf('\n```', start + marker.length) + 1);
    expect(body).toBe(read(EXAMPLE));
  });

  it('is never imported by the SDK or the demo page', () => {
    for (const file of [...sourcesUnder('sdk'), ...sourcesUnder('demo/src')]) {
      const imports = [...readFileSync(file, 'utf8').matchAll(/from\s+'([^']+)'/g)].map((match) => match[1]);
      expect(imports.filter((specifier) => /testing|fake-indexeddb/.test(specifier ?? '')), file).toEqual([]);
    }
  });

  it('leaves no trace in the package entry or the browser bundle', () => {
    const entry = read('dist/index.js');
    const specifiers = [...entry.matchAll(/^import .* from '([^']+)';$/gm)].map((match) => match[1] ?? '');
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((specifier) => /testing|fake-indexeddb|worker/.test(specifier))).toEqual([]);
    // String literals survive minification: the test origin and the test model's reply would show if bundled.
    for (const output of ['dist/index.js', 'demo/build/chatkeep.js']) {
      const code = read(output);
      expect(code, output).not.toContain('chatkeep.test');
      expect(code, output).not.toContain('You said: ');
    }
  });

  it('is an export with types first, node-only, with fake-indexeddb an optional peer', () => {
    const manifest = JSON.parse(read('package.json')) as {
      exports: Record<string, Record<string, string>>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    expect(Object.entries(manifest.exports['./testing'] ?? {})).toEqual([
      ['types', './dist/testing.d.ts'],
      ['import', './dist/testing.js'],
    ]);
    expect(manifest.peerDependencies['fake-indexeddb']).toBeDefined();
    expect(manifest.peerDependenciesMeta['fake-indexeddb']).toEqual({ optional: true });
    // The Worker comes from chatkeep/worker, not a second copy: its error classes are the ones an app imports.
    expect(read('dist/testing.js')).toMatch(/from '\.\/worker\.js'/);
  });
});
