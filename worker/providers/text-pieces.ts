import type { ModelPiece } from './model-provider';

/**
 * A model's pieces as text only: plain strings and text pieces, with reasoning and tool pieces skipped. For a
 * reader of replies that keeps text and no parts; one `then` per piece, no async generator around the model's.
 *
 * @example
 * ```ts
 * const iterator = textPieces(provider.stream({ messages, signal }));
 * ```
 */
export function textPieces(pieces: AsyncIterable<ModelPiece>): AsyncIterator<string> {
  const source = pieces[Symbol.asyncIterator]();
  const next = (): Promise<IteratorResult<string>> =>
    source.next().then((result): IteratorResult<string> | Promise<IteratorResult<string>> => {
      if (result.done === true) return result;
      const piece = result.value;
      if (typeof piece === 'string') return { done: false, value: piece };
      return piece.type === 'text' ? { done: false, value: piece.text } : next();
    });
  return { next };
}
