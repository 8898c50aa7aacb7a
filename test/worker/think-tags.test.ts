// A reasoning model's `<think>…</think>` on Workers AI becomes reasoning, however the stream cuts the text: every
// split point of a fixture (into two pieces, and into three) gives the same reasoning and the same text.
import { describe, expect, it } from 'vitest';
import type { ModelPiece } from '../../worker/index';
import { ThinkTags } from '../../worker/providers/think-tags';

/** The shape DeepSeek R1 distills write: the tags on lines of their own, a blank line before the answer. */
const REPLY = '<think>\nThe user greets me. I should greet back </ and offer help.\n</think>\n\nHello! How can I help?';
const REASONING = 'The user greets me. I should greet back </ and offer help.';
const TEXT = 'Hello! How can I help?';

function split(chunks: readonly string[]): ModelPiece[] {
  const think = new ThinkTags();
  return [...chunks.flatMap((chunk) => think.push(chunk)), ...think.end()];
}

/** The reply as the two parts it makes, the order of its runs of pieces, and whether any piece is empty. */
function parts(pieces: readonly ModelPiece[]) {
  const kinds = pieces.map((piece) => (typeof piece === 'string' ? 'text' : piece.type));
  const texts = pieces.map((piece) => (typeof piece === 'string' ? piece : piece.type === 'reasoning' ? piece.text : ''));
  return {
    reasoning: texts.filter((_, index) => kinds[index] === 'reasoning').join(''),
    text: texts.filter((_, index) => kinds[index] === 'text').join(''),
    runs: kinds.filter((kind, index) => kind !== kinds[index - 1]),
    empty: texts.some((text) => text.length === 0),
  };
}

describe('ThinkTags', () => {
  it('gives the same reasoning and text at every split point of the reply, into two pieces and into three', () => {
    const expected = { reasoning: REASONING, text: TEXT, runs: ['reasoning', 'text'], empty: false };
    expect(parts(split([REPLY]))).toEqual(expected);
    for (let i = 0; i <= REPLY.length; i++) {
      expect(parts(split([REPLY.slice(0, i), REPLY.slice(i)])), `split at ${i}`).toEqual(expected);
      for (let j = i; j <= REPLY.length; j++) {
        expect(parts(split([REPLY.slice(0, i), REPLY.slice(i, j), REPLY.slice(j)])), `split at ${i}, ${j}`).toEqual(expected);
      }
    }
    expect(parts(split([...REPLY]))).toEqual(expected);
  });

  it('streams reasoning as it comes, holding back only what may be a closing tag', () => {
    const think = new ThinkTags();
    expect(think.push('<think>Step one')).toEqual([{ type: 'reasoning', text: 'Step one' }]);
    expect(think.push(', two </thi')).toEqual([{ type: 'reasoning', text: ', two' }]);
    expect(think.push('nk>Done')).toEqual(['Done']);
  });

  it('leaves a reply without a leading <think> as text, a tag later in it included, at every split point', () => {
    const reply = '  Use <think> and </think> to wrap reasoning.';
    for (let i = 0; i <= reply.length; i++) expect(parts(split([reply.slice(0, i), reply.slice(i)])).text).toBe(reply);
    expect(split(['<thead>'])).toEqual(['<thead>']);
    expect(split(['<thi'])).toEqual(['<thi']);
  });

  it('ends an unclosed reasoning with what the model wrote, and an empty one with nothing', () => {
    expect(split(['<think>Cut off mid </th'])).toEqual([{ type: 'reasoning', text: 'Cut off mid' }, { type: 'reasoning', text: ' </th' }]);
    expect(split(['<think>\n\n</think>\n\nJust text'])).toEqual(['Just text']);
  });
});
