import { HttpError } from '../http-error';

/**
 * Where the next history page starts: KV's list cursor (absent for the first list) and how many of that list's keys
 * the previous page already covered (a page ends early when its reads would pass the KV operation budget).
 */
export interface PageToken {
  kvCursor: string | undefined;
  skip: number;
}

export function encodePageToken(token: PageToken): string {
  const json = JSON.stringify({ c: token.kvCursor ?? null, s: token.skip });
  return btoa(json).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodePageToken(value: string | null): PageToken {
  if (value === null || value === '') return { kvCursor: undefined, skip: 0 };
  try {
    const parsed: unknown = JSON.parse(atob(value.replace(/-/g, '+').replace(/_/g, '/')));
    if (typeof parsed === 'object' && parsed !== null) {
      const { c, s } = parsed as { c?: unknown; s?: unknown };
      if ((c === null || typeof c === 'string') && typeof s === 'number' && Number.isInteger(s) && s >= 0 && s < 1000) {
        return { kvCursor: c ?? undefined, skip: s };
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
