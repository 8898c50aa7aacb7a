import type { ModelMessage, ModelProvider } from '../providers/model-provider';
import { TURN_TITLE_MAX_CHARS } from '../../sdk/protocol-conversations';
import { cutChars, oneLine, previewOf } from './summary-text';

/** A title the model has not written by then is not waited for: the first turn's title stays. */
export const MODEL_TITLE_TIMEOUT_MS = 10_000;

const TITLE_INSTRUCTION =
  'Write a title of at most six words for the conversation below. Answer with the title only: no quotes, no ' +
  'punctuation at the end.';

/** The model's words as a title: one line, quotes and a trailing full stop taken off, cut to the turn-title length. */
export function titleFromModelText(text: string): string | undefined {
  const firstLine = text.trim().split(/\r?\n/, 1)[0] ?? '';
  const bare = oneLine(firstLine)
    .replace(/^(title:\s*)/i, '')
    .replace(/^["'`“‘]+|["'`”’]+$/g, '')
    .replace(/[.。]+$/, '')
    .trim();
  const title = cutChars(bare, TURN_TITLE_MAX_CHARS);
  return title === '' ? undefined : title;
}

/**
 * One short title for a conversation, written by `model` from its first exchange; `undefined` when the model fails,
 * says nothing usable or takes longer than {@link MODEL_TITLE_TIMEOUT_MS} (the caller keeps the first turn's
 * title). Asked once per conversation, by its writer, after the first reply.
 *
 * @example
 * ```ts
 * const title = await modelTitle(model, 'How do I bake bread?', 'Start with flour, water, salt and yeast…');
 * ```
 */
export async function modelTitle(
  model: ModelProvider,
  userTurn: string,
  reply: string,
  timeoutMs = MODEL_TITLE_TIMEOUT_MS,
): Promise<string | undefined> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const messages: ModelMessage[] = [
    { role: 'system', content: TITLE_INSTRUCTION },
    // The exchange is quoted as one user turn: the model titles it rather than continuing it.
    { role: 'user', content: `User: ${previewOf(userTurn)}\nAssistant: ${previewOf(reply)}\n\nTitle:` },
  ];
  let text = '';
  try {
    for await (const piece of model.stream({ messages, signal: controller.signal })) {
      if (typeof piece === 'string') text += piece;
      else if (piece.type === 'text') text += piece.text;
      if (controller.signal.aborted || text.length > 400) break;
    }
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
  return controller.signal.aborted ? undefined : titleFromModelText(text);
}
