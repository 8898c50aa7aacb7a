import { KV_CONSISTENCY_WINDOW_MS, type ChatMessage, type HistoryResponseBody } from '../../sdk/protocol';
import { admitToConversation, recordsFromObject } from '../conversation/conversation-call';
import { requireSessionId } from './chat-request';
import { compareText } from '../store/compare-text';
import { jsonResponse } from '../json-response';
import { decodePageToken, encodePageToken, parseSince, type PageToken } from './page-token';
import { KV_OPS_BUDGET, SessionStore, type ListedMessage } from '../store/session-store';
import { presentMessage } from '../store/stale-streaming';
import { lastWriteMs } from '../store/stored-message';
import type { RouteContext } from './route-context';

/** A validated `GET /history`. */
export interface HistoryRequest {
  sessionId: string;
  /** The `since` cursor: only records changed after it (less the consistency window) are sent. */
  since: number | undefined;
  token: PageToken;
}

/** Validates the paging parameters along with the session id, so a bad request is refused before authorizing. */
export function parseHistoryRequest(url: URL): HistoryRequest {
  return {
    sessionId: requireSessionId(url.searchParams.get('sessionId')),
    since: parseSince(url.searchParams.get('since')),
    token: decodePageToken(url.searchParams.get('cursor')),
  };
}

/**
 * KV holds a running reply's placeholder until its object writes the final record (its checkpoints stay in the
 * object; a client follows the text live). Past the stale limit the placeholder would be called interrupted, so the
 * object is asked first: it may still run the reply, or hold its final record while KV refuses it.
 */
async function newerFromObject<E>(
  route: RouteContext<E>,
  sessionId: string,
  messages: readonly ChatMessage[],
  nowMs: number,
): Promise<Map<string, ChatMessage>> {
  const stale = messages
    .filter((message) => message.status === 'streaming' && nowMs - lastWriteMs(message) > route.options.staleStreamingMs)
    .map((message) => message.id);
  if (stale.length === 0) return new Map();
  try {
    return await recordsFromObject(route, sessionId, stale);
  } catch (error) {
    // Without the object's word KV's record stands, and the stale rule with it.
    route.options.log(error);
    return new Map();
  }
}

/** Reads issued at once; enough to hide latency without a burst of hundreds. */
const GET_CONCURRENCY = 50;

/**
 * `GET /history`: one `list()` per page answers from key metadata; only records too big for metadata (or written
 * without it) cost a read each, and a page ends before its reads would pass the KV operation budget. The next page
 * resumes after the last key this one covered (see `PageToken`), so every key present for the whole read is returned.
 */
export async function handleHistory<E>(route: RouteContext<E>, read: HistoryRequest): Promise<Response> {
  const { options } = route;
  const { sessionId, since, token } = read;
  const nowMs = options.now();
  const store = new SessionStore(options.kv(route.env), sessionId, options.retentionSeconds);
  let ops = 1;
  // KV does not know whose conversation this is; its object does. Asked beside the first read, not before it.
  const [page] = await Promise.all([store.list(token.kvCursor), admitToConversation(route, sessionId)]);
  // KV lists keys in byte order, which for ids (ASCII) is the order of JavaScript's string comparison.
  const { after } = token;
  const listed = after === undefined ? page.messages : page.messages.filter((entry) => entry.id > after);
  const changedAfter = since === undefined ? undefined : since - KV_CONSISTENCY_WINDOW_MS;

  const ids: string[] = [];
  const ready: ChatMessage[] = [];
  const toRead: ListedMessage[] = [];
  let covered = listed.length;
  for (const [index, entry] of listed.entries()) {
    const meta = entry.metadata;
    // Streaming records are always sent: one can turn `interrupted` without being written again.
    const unchanged =
      changedAfter !== undefined && meta !== undefined && meta.status !== 'streaming' && Date.parse(meta.updatedAt) < changedAfter;
    const inline = unchanged ? undefined : store.fromListing(entry);
    if (!unchanged && inline === undefined) {
      if (ops + 1 > KV_OPS_BUDGET) {
        covered = index;
        break;
      }
      ops++;
      toRead.push(entry);
    }
    ids.push(entry.id);
    if (inline !== undefined) ready.push(inline);
  }

  for (let i = 0; i < toRead.length; i += GET_CONCURRENCY) {
    const batch = await Promise.all(toRead.slice(i, i + GET_CONCURRENCY).map((entry) => store.get(entry.id)));
    for (const message of batch) {
      if (message === undefined) continue;
      if (changedAfter !== undefined && message.status !== 'streaming' && lastWriteMs(message) < changedAfter) continue;
      ready.push(message);
    }
  }

  const nextPage =
    covered < listed.length
      ? encodePageToken({ kvCursor: token.kvCursor, after: covered > 0 ? listed[covered - 1]!.id : after })
      : page.nextCursor === undefined
        ? null
        : encodePageToken({ kvCursor: page.nextCursor, after: undefined });
  const known = await newerFromObject(route, sessionId, ready, nowMs);
  const messages = ready
    .map((message) => presentMessage(known.get(message.id) ?? message, nowMs, options.staleStreamingMs))
    .sort((a, b) => compareText(a.timestamp, b.timestamp) || compareText(a.id, b.id));
  const body: HistoryResponseBody = { sessionId, messages, ids, cursor: String(nowMs), nextPage };
  return jsonResponse(body);
}
