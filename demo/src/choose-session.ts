import { isValidId } from 'chatkeep';

/** Where the conversation the page opens came from. */
export type SessionSource = 'url' | 'last' | 'new';

export interface SessionChoice {
  sessionId: string;
  source: SessionSource;
  /** A `?session=` value that was present but not a valid id, so it was ignored. */
  rejected?: string;
}

export interface ChooseSessionOptions {
  /** The page's query string, e.g. `location.search`. */
  search: string;
  /** The conversation used last in this browser, if any. */
  last: string | null;
  /** Makes an id for a new conversation. */
  makeId: () => string;
}

/**
 * Picks the conversation to open: the one named by `?session=`, else the last one used, else a new one.
 *
 * @example
 * chooseSession({ search: '?session=abc12345', last: null, makeId }); // { sessionId: 'abc12345', source: 'url' }
 */
export function chooseSession({ search, last, makeId }: ChooseSessionOptions): SessionChoice {
  const requested = new URLSearchParams(search).get('session');
  if (requested !== null && isValidId(requested)) return { sessionId: requested, source: 'url' };
  const rejected = requested !== null && requested !== '' ? { rejected: requested } : {};
  if (last !== null && isValidId(last)) return { sessionId: last, source: 'last', ...rejected };
  return { sessionId: makeId(), source: 'new', ...rejected };
}
