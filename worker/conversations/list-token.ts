import { base64url, fromBase64url } from '../base64url';
import { HttpError } from '../http-error';

/** `GET /conversations?cursor=`: KV's list cursor, wrapped so that nothing but a cursor this Worker made gets to KV. */
export function encodeListToken(kvCursor: string): string {
  return base64url(new TextEncoder().encode(JSON.stringify({ k: kvCursor })));
}

export function decodeListToken(value: string | null): string | undefined {
  if (value === null || value === '') return undefined;
  const bytes = fromBase64url(value);
  if (bytes !== undefined) {
    try {
      const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
      const k = (parsed as { k?: unknown } | null)?.k;
      if (typeof k === 'string' && k !== '') return k;
    } catch {
      // fall through: not a token this Worker made
    }
  }
  throw new HttpError(400, 'invalid_cursor', 'cursor is not a page token from this API');
}

/** `since` is the `cursor` of an earlier answer: the server's clock in ms. */
export function parseSinceMs(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  if (!/^\d{1,16}$/.test(value)) throw new HttpError(400, 'invalid_cursor', 'since must be a cursor from an earlier answer');
  return Number(value);
}
