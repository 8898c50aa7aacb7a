import { DEFAULT_MAX_BODY_BYTES, KV_CONSISTENCY_WINDOW_MS, isValidId } from '../../sdk/protocol';
import { type ConversationSummary, type ConversationsResponseBody, type RenameResponseBody } from '../../sdk/protocol-conversations';
import type { ChatKvNamespace } from '../cloudflare-types';
import { HttpError } from '../http-error';
import { jsonResponse } from '../json-response';
import { readJsonBody } from '../routes/request-body';
import { compareText } from '../store/compare-text';
import { IndexWriter } from './index-writer';
import { OwnerIndex } from './owner-index';
import { decodeListToken, encodeListToken, parseSinceMs } from './list-token';
import { requireTitle } from './summary-text';

/**
 * KV lists one answer may make (1,000 keys each): up to 5,000 conversations come sorted in one answer, at the floor
 * of one KV operation per 1,000; an owner with more pages on with `nextPage`.
 */
export const DEFAULT_LIST_CALLS_PER_ANSWER = 5;

export interface ConversationsRouteOptions {
  /** The server clock, in ms. @defaultValue `Date.now` */
  now?: () => number;
  /** How long an entry lives after its last exchange. @defaultValue 7 days */
  retentionSeconds?: number;
  /** @defaultValue {@link DEFAULT_MAX_BODY_BYTES} */
  maxBodyBytes?: number;
  /** @defaultValue {@link DEFAULT_LIST_CALLS_PER_ANSWER} */
  listCallsPerAnswer?: number;
  /**
   * Applies a rename through the conversation's writer (its object), which answers 403 for another owner's
   * conversation; `undefined` when the owner has no such conversation (404). Without it the entry is rewritten in
   * KV directly, for this owner's index only.
   */
  rename?: (sessionId: string, title: string, nowIso: string) => Promise<ConversationSummary | undefined>;
}

const noOwner = () => new HttpError(401, 'unauthorized', 'Listing conversations needs an owner');

const newestFirst = (a: ConversationSummary, b: ConversationSummary) =>
  compareText(b.updatedAt, a.updatedAt) || compareText(a.sessionId, b.sessionId);

/** `GET /conversations[?since=CURSOR][&cursor=PAGE]`: the owner's summaries from list metadata alone. */
export async function listConversations(
  url: URL,
  owner: string | undefined,
  kv: ChatKvNamespace,
  options: ConversationsRouteOptions = {},
): Promise<Response> {
  const since = parseSinceMs(url.searchParams.get('since'));
  let kvCursor = decodeListToken(url.searchParams.get('cursor'));
  if (owner === undefined) throw noOwner();
  const nowMs = (options.now ?? Date.now)();
  const index = new OwnerIndex(kv, owner, options.retentionSeconds);
  const changedAfter = since === undefined ? undefined : since - KV_CONSISTENCY_WINDOW_MS;

  const ids: string[] = [];
  const conversations: ConversationSummary[] = [];
  const calls = Math.max(1, options.listCallsPerAnswer ?? DEFAULT_LIST_CALLS_PER_ANSWER);
  for (let call = 0; call < calls; call++) {
    const page = await index.list(kvCursor);
    for (const { summary } of page.entries) {
      ids.push(summary.sessionId);
      if (changedAfter === undefined || Date.parse(summary.updatedAt) >= changedAfter) conversations.push(summary);
    }
    kvCursor = page.nextCursor;
    if (kvCursor === undefined) break;
  }
  const body: ConversationsResponseBody = {
    conversations: conversations.sort(newestFirst),
    ids,
    cursor: String(nowMs),
    nextPage: kvCursor === undefined ? null : encodeListToken(kvCursor),
  };
  return jsonResponse(body);
}

/** `PATCH /conversations` `{"sessionId","title"}`: validated before anything is read or written. */
export async function renameConversation(
  request: Request,
  owner: string | undefined,
  kv: ChatKvNamespace,
  options: ConversationsRouteOptions = {},
): Promise<Response> {
  const body = await readJsonBody(request, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'invalid_request', 'The body must be a JSON object');
  }
  const { sessionId, title: rawTitle } = body as Record<string, unknown>;
  if (!isValidId(sessionId)) throw new HttpError(400, 'invalid_session_id', 'sessionId must match [A-Za-z0-9_-]{8,128}');
  const title = requireTitle(rawTitle);
  if (owner === undefined) throw noOwner();
  const nowIso = new Date((options.now ?? Date.now)()).toISOString();
  const renamed = options.rename
    ? await options.rename(sessionId, title, nowIso)
    : (await new IndexWriter(kv, owner, sessionId, options).rename(title, nowIso))?.summary;
  if (renamed === undefined) throw new HttpError(404, 'not_found', 'No such conversation');
  const answer: RenameResponseBody = { conversation: renamed };
  return jsonResponse(answer);
}

/**
 * `GET` and `PATCH {basePath}/conversations` for an owner already resolved (see `resolveOwner`); `undefined` is
 * `401`. Throws `HttpError`s for the Worker's one error handler, like every route.
 *
 * @example
 * ```ts
 * return handleConversations(request, await resolveOwner(request, env), env.CHAT_KV);
 * ```
 */
export async function handleConversations(
  request: Request,
  owner: string | undefined,
  kv: ChatKvNamespace,
  options: ConversationsRouteOptions = {},
): Promise<Response> {
  if (request.method === 'GET') return listConversations(new URL(request.url), owner, kv, options);
  if (request.method === 'PATCH') return renameConversation(request, owner, kv, options);
  throw new HttpError(405, 'method_not_allowed', `${request.method} is not allowed here`, {
    headers: { allow: 'GET, PATCH, OPTIONS' },
  });
}
