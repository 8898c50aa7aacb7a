/**
 * The README's HTTP examples, run as a person would paste them (with curl), in order, against the real Worker under
 * `wrangler dev` with a fresh KV; each answer must match the one the README shows, where `…` stands for any text.
 * Its links must work on the npm package page, where only absolute URLs and in-page anchors do.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../support/wrangler-dev';
import { ROOT } from './support/pack';

/** Where the README's commands say the Worker is: `npm start` on its default port. */
const README_ORIGIN = 'http://127.0.0.1:8787';
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

interface Example {
  command: string;
  answer: string;
}

interface FencedBlock {
  language: string;
  body: string;
}

function fencedBlocks(markdown: string): FencedBlock[] {
  return [...markdown.matchAll(/^ *```(\w*)\n([\s\S]*?)^ *```$/gm)].map((match) => ({ language: match[1] ?? '', body: match[2] ?? '' }));
}

/** Every `sh` block that runs curl, with the `text` block right after it: the answer it shows. */
function httpExamples(markdown: string): Example[] {
  const blocks = fencedBlocks(markdown);
  const examples: Example[] = [];
  blocks.forEach((block, index) => {
    if (block.language !== 'sh' || !/^curl /m.test(block.body)) return;
    const next = blocks[index + 1];
    if (next?.language !== 'text') throw new Error(`README: this example shows no answer (a text block after it):\n${block.body}`);
    examples.push({ command: block.body, answer: next.body });
  });
  return examples;
}

/** The README's answer as a pattern: literal text, with `…` matching anything (newlines included). */
function answerPattern(answer: string): RegExp {
  const parts = answer.trim().split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('[\\s\\S]*?')}$`);
}

function normalise(output: string): string {
  return output.replace(/\r\n/g, '\n').trim();
}

describe('README', () => {
  it('links only to absolute URLs and in-page anchors, which work on the package page', () => {
    const targets = [...README.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? '');
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.filter((target) => !/^(https:\/\/|#)/.test(target))).toEqual([]);
  });

  it('links to files of this repository that exist', () => {
    const prefixes = ['https://github.com/chatkeep/chatkeep/blob/main/', 'https://raw.githubusercontent.com/chatkeep/chatkeep/main/'];
    const paths = [...README.matchAll(/\]\((https:\/\/[^)\s]+)\)/g)]
      .map((match) => match[1] ?? '')
      .flatMap((url) => prefixes.filter((prefix) => url.startsWith(prefix)).map((prefix) => url.slice(prefix.length)));
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) expect(() => readFileSync(join(ROOT, path)), path).not.toThrow();
  });

  it('links to its own sections by anchors that exist', () => {
    const anchors = new Set(
      [...README.matchAll(/^#+ (.+)$/gm)].map((match) =>
        (match[1] ?? '')
          .toLowerCase()
          .replace(/[^\w\- ]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    for (const match of README.matchAll(/\]\(#([^)]+)\)/g)) expect(anchors, match[1]).toContain(match[1]);
  });

  it('documents the tsconfig the package suite type-checks an app with', () => {
    const documented = fencedBlocks(README).find((block) => block.language === 'json' && block.body.includes('compilerOptions'));
    const tested = JSON.parse(readFileSync(join(ROOT, 'test/package/scratch-app/tsconfig.json'), 'utf8')) as { compilerOptions: object };
    expect(documented).toBeDefined();
    expect(tested.compilerOptions).toMatchObject((JSON.parse(documented?.body ?? '{}') as { compilerOptions: object }).compilerOptions);
  });

  describe('HTTP examples, run against the real Worker', () => {
    const examples = httpExamples(README);
    let worker: RunningWorker;

    beforeAll(async () => {
      worker = await startWorker();
    });
    afterAll(() => worker.stop());

    it('are curl commands, each with its answer, covering every route', () => {
      const routes = examples.map((example) => /https?:\/\/[^/\s']+(\/api\/[\w/]+)/.exec(example.command)?.[1]);
      expect(routes).toEqual(expect.arrayContaining(['/api/chat', '/api/history', '/api/chat/stop']));
      for (const example of examples) expect(example.command).toContain(README_ORIGIN);
    });

    it('answer what the README shows, run in order', () => {
      for (const example of examples) {
        const command = example.command.replaceAll(README_ORIGIN, worker.origin);
        const output = execFileSync('sh', ['-c', command], { encoding: 'utf8', timeout: 30_000 });
        expect(normalise(output), example.command).toMatch(answerPattern(example.answer));
      }
    });
  });
});
