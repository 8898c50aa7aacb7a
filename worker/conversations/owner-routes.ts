import { renameThroughObject } from '../conversation/conversation-call';
import type { RouteContext } from '../routes/route-context';
import { handleConversations } from './conversations-route';
import { IndexWriter } from './index-writer';
import type { Exchange } from './index-entry';
import { OwnerIndex } from './owner-index';
import { resolveOwner } from './owner-key';

/**
 * The route context with its owner: the `owner` option (or the session token's `sub`), else the owner key header.
 * A malformed owner is a 400 here, before any route has read or written anything.
 */
export async function withRouteOwner<E>(route: RouteContext<E>): Promise<RouteContext<E>> {
  return { ...route, owner: await resolveOwner(route.request, route.env, route.options.owner) };
}

/** `GET` and `PATCH {basePath}/conversations`, as the Worker's dispatcher mounts them. */
export async function conversationsRoute<E>(route: RouteContext<E>): Promise<Response> {
  const { options } = route;
  const owned = route.owner === undefined ? await withRouteOwner(route) : route;
  return handleConversations(route.request, owned.owner, options.kv(route.env), {
    now: options.now,
    retentionSeconds: options.retentionSeconds,
    maxBodyBytes: options.limits.maxBodyBytes,
    // The conversation's object knows its owner (another owner's rename is 403) and keeps the entry it writes.
    rename: (sessionId, title, nowIso) => renameThroughObject(owned, sessionId, title, nowIso),
  });
}

/**
 * The index writer a conversation's object keeps for its owner (one per object, so it remembers what it wrote):
 * call `record(exchange)` once per persisted exchange, `remove()` when the conversation is deleted.
 *
 * @example
 * ```ts
 * this.index ??= ownerIndexWriter(options, env, owner, sessionId);
 * await this.index.record({ userTurn, reply, messageCount });
 * ```
 */
export function ownerIndexWriter<E>(
  options: RouteContext<E>['options'],
  env: E,
  owner: string,
  sessionId: string,
): IndexWriter {
  return new IndexWriter(options.kv(env), owner, sessionId, {
    retentionSeconds: options.retentionSeconds,
    ...(options.titles === 'model' ? { titleModel: options.model(env) } : {}),
  });
}

/** One exchange into the owner's index, for a caller that keeps no writer: at most one KV write, none if unchanged. */
export async function recordOwnedExchange<E>(
  options: RouteContext<E>['options'],
  env: E,
  owner: string,
  exchange: Exchange,
): Promise<void> {
  await ownerIndexWriter(options, env, owner, exchange.userTurn.sessionId).record(exchange);
}

/** `DELETE /history` of an owned conversation: its entry leaves the requesting owner's index (one KV delete). */
export async function removeFromOwnerIndex<E>(route: RouteContext<E>, sessionId: string): Promise<void> {
  if (route.owner === undefined) return;
  await new OwnerIndex(route.options.kv(route.env), route.owner, route.options.retentionSeconds).delete(sessionId);
}
