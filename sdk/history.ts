import { ChatError } from './errors';
import { fetchJSON, type Fetch } from './http';
import { isMessageOf } from './validate';
import { ROUTE, type HistoryResponseBody } from './protocol';
import type { ServerState } from './merge';

/** A history read, every page of it. */
export interface HistoryRead extends ServerState {
  /** The first page's cursor, to pass as `since` next time. */
  cursor: string;
  /** Records left out because they were malformed or of another conversation. */
  rejected: number;
}

/** The most pages one read follows: a server paging further is going in circles. */
const MAX_PAGES = 100;

const isPage = (body: Partial<HistoryResponseBody> | null, sessionId: string): body is HistoryResponseBody =>
  body?.sessionId === sessionId &&
  Array.isArray(body.messages) &&
  Array.isArray(body.ids) &&
  body.ids.every((id) => typeof id === 'string') &&
  typeof body.cursor === 'string' &&
  (body.nextPage === null || typeof body.nextPage === 'string');

/**
 * Reads a conversation's history, every page of it: the records changed since `since` (or all), every id the
 * server holds, and the cursor to pass as `since` next time. Every page is checked whole (cursor and paging
 * included) before any of it is used: an answer that does not fit throws `bad_response` and changes nothing.
 */
export async function fetchHistory(fetcher: Fetch, endpoint: string, sessionId: string, since?: string): Promise<HistoryRead> {
  const messages = [];
  const ids = [];
  const pages = new Set<string>();
  let rejected = 0;
  // The first page's cursor: a write landing while later pages are read is then still "after" it.
  let cursor: string | undefined;
  for (let page = ''; ; ) {
    const query = new URLSearchParams({ sessionId, ...(since && { since }), ...(page && { cursor: page }) });
    const body = await fetchJSON<Partial<HistoryResponseBody> | null>(fetcher, `${endpoint}${ROUTE.history}?${query}`);
    if (!isPage(body, sessionId)) throw new ChatError('bad_response', 'bad history page');
    for (const m of body.messages) isMessageOf(m, sessionId) ? messages.push(m) : rejected++;
    ids.push(...body.ids);
    cursor ??= body.cursor;
    if (body.nextPage === null) return { messages, ids, cursor, rejected };
    page = body.nextPage;
    if (pages.has(page) || pages.add(page).size >= MAX_PAGES) throw new ChatError('bad_response', 'endless paging');
  }
}
