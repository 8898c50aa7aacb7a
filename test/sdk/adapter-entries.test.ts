// The adapters are their own package entries: they load the core from `chatkeep` (one ChatClient, one ChatError
// class in an app), leave react and ai to the app, and the core entry knows nothing of either (made by `npm run build`).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const dist = (file: string) => readFileSync(resolve(import.meta.dirname, '../../dist', file), 'utf8');
const imports = (source: string) => [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((match) => match[1]).sort();

describe('package entries', () => {
  it('chatkeep/react imports react and the core, and bundles neither', () => {
    const source = dist('react.js');
    expect(imports(source)).toEqual(['chatkeep', 'react']);
    expect(source).not.toMatch(/class ChatClient|class ChatError/);
    expect(source).toContain('export { useConversation, useConversations }');
  });

  it('chatkeep/ai-sdk imports the core (and the SSE parser the core uses), and never ai at run time', () => {
    const source = dist('ai-sdk.js');
    expect(imports(source)).toEqual(['chatkeep', 'eventsource-parser']);
    expect(source).not.toMatch(/class ChatClient|class ChatError/);
    expect(source).toMatch(/export \{ ChatkeepTransport, loadUIMessages, toUIMessages \}/);
  });

  it('the core entry holds nothing of either adapter', () => {
    for (const file of ['index.js', 'index.d.ts']) {
      const source = dist(file);
      expect(source).not.toMatch(/from 'react'|from 'ai'|useConversation|ChatkeepTransport/);
    }
  });

  it('the package exports both entries, types first, with react and ai as optional peers (every peer is optional)', () => {
    const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as {
      exports: Record<string, Record<string, string>>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional: boolean }>;
    };
    expect(pkg.exports['./react']).toEqual({ types: './dist/react.d.ts', import: './dist/react.js' });
    expect(pkg.exports['./ai-sdk']).toEqual({ types: './dist/ai-sdk.d.ts', import: './dist/ai-sdk.js' });
    expect(Object.keys(pkg.exports['./react']!)[0]).toBe('types');
    expect(pkg.peerDependenciesMeta).toMatchObject({ ai: { optional: true }, react: { optional: true } });
    // Other entries bring peers of their own (fake-indexeddb for chatkeep/testing); the core entry needs none.
    for (const peer of Object.keys(pkg.peerDependencies)) expect(pkg.peerDependenciesMeta[peer]).toEqual({ optional: true });
  });
});
