import { PREVIEW_MAX_CHARS, TITLE_MAX_CHARS, TURN_TITLE_MAX_CHARS } from '../../sdk/protocol-conversations';
import { HttpError } from '../http-error';

/** A title for a first turn that has no text to take one from. */
export const UNTITLED = 'New conversation';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// Control characters and every run of whitespace become one space: a title or preview is one line, and JSON would
// spend six bytes on each control character of the little list metadata a KV key may carry.
const CONTROL_OR_SPACE = /[\p{Cc}\s]+/gu;

/** One line of text: lone surrogates replaced, whitespace and control characters collapsed, trimmed. */
export function oneLine(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').replace(CONTROL_OR_SPACE, ' ').trim();
}

/** At most `max` characters (code points, so an emoji is never cut in half). */
export function cutChars(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max).join('').trimEnd();
}

/** The title a conversation gets from its first user turn. */
export function titleFromTurn(content: string): string {
  return cutChars(oneLine(content), TURN_TITLE_MAX_CHARS) || UNTITLED;
}

/** What the list shows of a turn's text. */
export function previewOf(content: string): string {
  return cutChars(oneLine(content), PREVIEW_MAX_CHARS);
}

/** A title a client asked for: 1 to {@link TITLE_MAX_CHARS} characters once made one line and trimmed, else 400. */
export function requireTitle(value: unknown): string {
  const title = typeof value === 'string' ? oneLine(value) : '';
  if (title === '' || Array.from(title).length > TITLE_MAX_CHARS) {
    throw new HttpError(400, 'invalid_title', `title must be 1 to ${TITLE_MAX_CHARS} characters`);
  }
  return title;
}
