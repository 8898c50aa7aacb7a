import { ChatError } from './errors';
import { fetchJSON, type Fetch } from './http';
import { isMessageOf } from './validate';
import type { HistoryResponseBody } from './protocol';
import type { ServerState } from './merge';

/**
 * Reads a conversation's history, every page of it: the records changed since `since` (or all), every id the
 * server holds, and the cursor to pass as `since` next time.
 */
export async function fetchHistory(
  f: Fetch,
  endpoint: string,
  sessionId: string,
  since?: string,
): Promise<ServerState & { cursor: string; rejected: number }> {
  const messages = [];
  const ids = [];
  const pages = new Set<string>();
  let rejected = 0;
  // The first page's cursor: a write landing while later pages are read is then still "after" it.
  let cursor: string | undefined;
  for (let page = ''; ; ) {
    const body: Partial<HistoryResponseBody> = await fetchJSON(
      f,
      `${endpoint}/history?${new URLSearchParams({ sessionId, ...(since && { since }), ...(page && { cursor: page }) })}`,
    );
    if (body?.sessionId !== sessionId || !Array.isArray(body.messages) || !Array.isArray(body.ids))
      throw new ChatError('bad_response', 'not a history of this conversation');
    for (const m of body.messages) isMessageOf(m, sessionId) ? messages.push(m) : rejected++;
    ids.push(...body.ids);
    cursor ??= body.cursor;
    if (!(page = body.nextPage!)) return { messages, ids, cursor: String(cursor), rejected };
    // A page seen before (or far too many) means a server paging in circles.
    if (pages.has(page) || pages.add(page).size > 99) throw new ChatError('bad_response', 'endless paging');
  }
}
