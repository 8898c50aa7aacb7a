import type { ModelPiece } from './model-provider';

const OPEN = '<think>';
const CLOSE = '</think>';

type State = 'start' | 'reasoning' | 'after' | 'text';

/**
 * Splits a reasoning model's `<think>…</think>` text (DeepSeek R1, QwQ and Qwen 3 on Workers AI write their
 * reasoning so) into reasoning pieces and text pieces, whichever way the stream cuts the tags. Only a reply that
 * begins with `<think>` (after whitespace) reasons; a tag later in a reply is its text, as a reply explaining the tags
 * would have it. The whitespace just inside the tags and just after `</think>` is dropped: the model writes it as
 * layout, not as what it thought or said.
 *
 * @example
 * ```ts
 * const think = new ThinkTags();
 * for (const text of texts) yield* think.push(text);
 * yield* think.end();
 * ```
 */
export class ThinkTags {
  private state: State = 'start';
  /** Text not given out yet: a possible opening tag at the start, or a possible `</think>` and the whitespace before it. */
  private held = '';
  /** No reasoning given out yet: its leading whitespace is dropped. */
  private reasoningStarts = true;

  /** The pieces `text` completes; some of it may be held until the next push shows what it is. */
  push(text: string): ModelPiece[] {
    if (text.length === 0) return [];
    switch (this.state) {
      case 'text':
        return [text];
      case 'after':
        return this.afterClose(text);
      case 'start':
        return this.start(this.held + text);
      case 'reasoning':
        return this.reasoning(this.held + text);
    }
  }

  /** What is still held, once the model has finished. */
  end(): ModelPiece[] {
    const held = this.held;
    this.held = '';
    if (held.length === 0) return [];
    if (this.state === 'start') return [held];
    // An unclosed reasoning part ends with what the model wrote, a half tag included; whitespace is only layout.
    const rest = held.trimEnd();
    return rest.length > 0 ? [{ type: 'reasoning', text: rest }] : [];
  }

  private start(buffer: string): ModelPiece[] {
    const trimmed = buffer.trimStart();
    if (trimmed.startsWith(OPEN)) {
      this.state = 'reasoning';
      this.held = '';
      return this.reasoning(trimmed.slice(OPEN.length));
    }
    if (OPEN.startsWith(trimmed)) {
      // Only whitespace, or the start of an opening tag, so far.
      this.held = buffer;
      return [];
    }
    this.state = 'text';
    this.held = '';
    return [buffer];
  }

  private reasoning(buffer: string): ModelPiece[] {
    let text = this.reasoningStarts ? buffer.trimStart() : buffer;
    const close = text.indexOf(CLOSE);
    let after: string | undefined;
    if (close >= 0) {
      after = text.slice(close + CLOSE.length);
      text = text.slice(0, close).trimEnd();
      this.held = '';
      this.state = 'after';
    } else {
      // Hold a suffix that may be the start of `</think>`, and the whitespace before it, until the next push.
      const keep = text.length - partialTagStart(text);
      const given = text.slice(0, text.length - keep).trimEnd();
      this.held = text.slice(given.length);
      text = given;
    }
    const pieces: ModelPiece[] = [];
    if (text.length > 0) {
      this.reasoningStarts = false;
      pieces.push({ type: 'reasoning', text });
    }
    if (after !== undefined) pieces.push(...this.afterClose(after));
    return pieces;
  }

  private afterClose(text: string): ModelPiece[] {
    const rest = text.trimStart();
    if (rest.length === 0) return [];
    this.state = 'text';
    return [rest];
  }
}

/** Where a suffix of `text` begins that is a proper start of `</think>`; `text.length` if there is none. */
function partialTagStart(text: string): number {
  for (let length = Math.min(CLOSE.length - 1, text.length); length > 0; length--) {
    if (CLOSE.startsWith(text.slice(text.length - length))) return text.length - length;
  }
  return text.length;
}
