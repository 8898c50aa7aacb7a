import { describe, expect, it } from 'vitest';
import type { ModelPiece } from '../../worker/providers/model-provider';
import { textPieces } from '../../worker/providers/text-pieces';

async function* model(): AsyncGenerator<ModelPiece> {
  yield { type: 'reasoning', text: 'hm' };
  yield 'It is ';
  yield { type: 'tool-call', toolCallId: 'a', name: 'get_time', input: {} };
  yield { type: 'tool-result', toolCallId: 'a', output: { iso: 'now' } };
  yield { type: 'text', text: 'now.' };
}

describe('textPieces', () => {
  it('keeps plain strings and text pieces, in order, and skips reasoning and tools', async () => {
    const iterator = textPieces(model());
    const seen: string[] = [];
    for (let result = await iterator.next(); result.done !== true; result = await iterator.next()) seen.push(result.value);
    expect(seen).toEqual(['It is ', 'now.']);
  });

  it('passes the model’s failure on', async () => {
    async function* failing(): AsyncGenerator<ModelPiece> {
      yield { type: 'reasoning', text: 'hm' };
      throw new Error('down');
    }
    await expect(textPieces(failing()).next()).rejects.toThrow('down');
  });
});
