import { ChatError } from '../errors';
import { fetchJSON, request, responseError, type Fetch } from '../http';
import { MESSAGE_STATUSES, ROLES, isValidId } from '../protocol';
import { OWNER_HEADER, type ConversationSummary, type ConversationsResponseBody } from '../protocol-conversations';

const isTime = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));

/** A summary from the network is checked before it is shown or cached. */
export function isSummary(value: unknown): value is ConversationSummary {
  const s = value as Partial<ConversationSummary> | null;
  if (typeof s !== 'object' || s === null || !isValidId(s.sessionId) || typeof s.title !== 'string') return false;
  if (!isTime(s.createdAt) || !isTime(s.updatedAt) || !Number.isSafeInteger(s.messageCount)) return false;
  const l = s.lastMessage;
  return l === undefined || (ROLES.includes(l.role) && MESSAGE_STATUSES.includes(l.status) && typeof l.preview === 'string');
}

/** The Worker's conversation routes, for one owner. */
export class ListHttp {
  constructor(
    private readonly endpoint: string,
    private readonly fetch: Fetch,
    private readonly ownerKey: string | undefined,
  ) {}

  private init(init: RequestInit = {}): RequestInit {
    const headers = new Headers(init.headers);
    if (this.ownerKey !== undefined) headers.set(OWNER_HEADER, this.ownerKey);
    return { ...init, headers };
  }

  /** Every page of `GET /conversations` (with `since` when given): the changed summaries, every id, the cursor. */
  async list(since: string | undefined): Promise<{ conversations: ConversationSummary[]; ids: Set<string>; cursor: string }> {
    const conversations: ConversationSummary[] = [];
    const ids = new Set<string>();
    let page: string | null = null;
    let cursor = '';
    do {
      const query = new URLSearchParams();
      if (since !== undefined) query.set('since', since);
      if (page !== null) query.set('cursor', page);
      const body = await fetchJSON<ConversationsResponseBody>(this.fetch, `${this.endpoint}/conversations?${query}`, undefined, this.init());
      if (!Array.isArray(body?.conversations) || !Array.isArray(body.ids) || typeof body.cursor !== 'string') {
        throw new ChatError('bad_response', 'not a conversations answer');
      }
      for (const summary of body.conversations) if (isSummary(summary)) conversations.push(summary);
      for (const id of body.ids) if (isValidId(id)) ids.add(id);
      // The first page's cursor: a change made while later pages were read is then listed again next time.
      cursor ||= body.cursor;
      page = typeof body.nextPage === 'string' ? body.nextPage : null;
    } while (page !== null);
    return { conversations, ids, cursor };
  }

  /** Sends one queued change; resolves the server's summary for a rename (`undefined` for a removal). */
  async send(op: 'rename' | 'remove', sessionId: string, title?: string): Promise<ConversationSummary | undefined> {
    if (op === 'remove') {
      const res = await request(this.fetch, `${this.endpoint}/history?sessionId=${encodeURIComponent(sessionId)}`, this.init({ method: 'DELETE' }));
      if (!res.ok) throw await responseError(res);
      return undefined;
    }
    const res = await request(
      this.fetch,
      `${this.endpoint}/conversations`,
      this.init({ method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId, title }) }),
    );
    if (!res.ok) throw await responseError(res);
    const body = (await res.json().catch(() => undefined)) as { conversation?: unknown } | undefined;
    return isSummary(body?.conversation) ? body.conversation : undefined;
  }
}
