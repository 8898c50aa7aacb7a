import { isValidId } from '../../sdk/protocol';
import { base64url, fromBase64url } from '../base64url';
import { HttpError } from '../http-error';

/**
 * Where the next history page starts: KV's list cursor (absent for the first list) and, when the previous page
 * ended inside that list (its reads would have passed the KV operation budget), the id of the last key it covered.
 * The page resumes after that key, never after a count of keys: a key deleted or expired between two pages would
 * shift a count, and the next page would silently skip a record that still exists.
 */
export interface PageToken {
  kvCursor: string | undefined;
  after: string | undefined;
}

export function encodePageToken(token: PageToken): string {
  const json = JSON.stringify({ c: token.kvCursor ?? null, a: token.after ?? null });
  return base64url(new TextEncoder().encode(json));
}

export function decodePageToken(value: string | null): PageToken {
  if (value === null || value === '') return { kvCursor: undefined, after: undefined };
  try {
    const bytes = fromBase64url(value);
    if (bytes === undefined) throw new Error('not base64url');
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof parsed === 'object' && parsed !== null) {
      const { c, a, s } = parsed as { c?: unknown; a?: unknown; s?: unknown };
      if (c === null || typeof c === 'string') {
        if (a === null || isValidId(a)) return { kvCursor: c ?? undefined, after: a ?? undefined };
        // A token of the earlier position-counting form that starts a KV list names the same place.
        if (a === undefined && s === 0) return { kvCursor: c ?? undefined, after: undefined };
      }
    }
  } catch {
    // fall through: not a token this Worker made
  }
  throw new HttpError(400, 'invalid_cursor', 'cursor is not a page token from this API');
}

/** `since` is the `cursor` of an earlier answer: the server's clock in ms. */
export function parseSince(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  if (!/^\d{1,16}$/.test(value)) throw new HttpError(400, 'invalid_cursor', 'since must be a cursor from an earlier answer');
  return Number(value);
}
