import type { OnlineEvents } from '../chat-client-options';
import { ChatError } from '../errors';
import type { Fetch } from '../http';
import { makeSessionId } from '../ids';
import { DEFAULT_BASE_PATH } from '../protocol';
import { type ConversationSummary } from '../protocol-conversations';
import type { ConversationRow, ListOpRow } from '../storage/list-rows';
import { runExclusive, type Locks, type TabMessage } from '../tabs';
import { ListHttp } from './list-http';
import { entryStamp, summaryFromMessages, type FollowedChat } from './follow-chat';
import { listStore, type ListStore } from './list-store';

export interface ConversationListOptions {
  /** @defaultValue `'/api'` */
  endpoint?: string;
  /**
   * The owner key sent as `X-Chatkeep-Owner` (e.g. one carried here by a "use on another device" link), or `false`
   * when the app names owners itself (the Worker's `owner` option or session tokens, through `fetch`).
   * @defaultValue the key this browser made and remembered (128 random bits), made on first use
   */
  ownerKey?: string | false;
  /** @defaultValue the global `fetch` */
  fetch?: Fetch;
  /** `null`: keep the list in memory only. @defaultValue the global `indexedDB` */
  indexedDB?: IDBFactory | null;
  /** @defaultValue the global `BroadcastChannel` */
  BroadcastChannel?: typeof BroadcastChannel | null;
  /** @defaultValue `navigator.locks` */
  locks?: Locks | null;
  /** Where `online` and `offline` events come from. @defaultValue `window` */
  onlineEvents?: OnlineEvents | null;
}

/** The title of a conversation with no turn yet. */
const NEW_TITLE = 'New conversation';

export type ConversationListStatus = 'idle' | 'syncing' | 'offline';

export interface ConversationListSnapshot {
  /** Newest first. */
  conversations: readonly ConversationSummary[];
  status: ConversationListStatus;
  online: boolean;
}

const newestFirst = (a: ConversationSummary, b: ConversationSummary) =>
  a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : a.sessionId < b.sessionId ? -1 : 1;
const isOffline = (e: unknown) => e instanceof ChatError && (e.code === 'network_error' || e.status === 408 || e.status === 429 || (e.status ?? 0) >= 500);

/**
 * An owner's conversations as state, for a sidebar: shown from IndexedDB at once, reconciled with
 * `GET /conversations` on load, on `online` and on `sync()`; renames and removals made offline are queued and sent
 * once; tabs stay in step.
 *
 * @example
 * ```ts
 * const list = new ConversationList({ endpoint: '/api' });
 * list.subscribe(() => render(list.getSnapshot().conversations));
 * const sessionId = list.create(); // then new ChatClient({ sessionId, ... })
 * ```
 */
export class ConversationList {
  /** Resolves once the cached list is shown; no network answer is awaited for it. */
  readonly ready: Promise<void>;
  private snapshot: ConversationListSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly store: ListStore;
  private readonly channel: BroadcastChannel | undefined;
  private readonly Channel: typeof BroadcastChannel | null | undefined;
  private readonly locks: Locks | null | undefined;
  private readonly events: OnlineEvents | null | undefined;
  private rows = new Map<string, ConversationRow>();
  private http: ListHttp | undefined;
  private owner = 'app';
  private closed = false;
  private syncing: Promise<void> | undefined;
  private readonly onOnline = () => void this.sync().catch(() => undefined);

  constructor(private readonly options: ConversationListOptions = {}) {
    const factory = options.indexedDB === undefined ? (globalThis.indexedDB ?? null) : options.indexedDB;
    this.store = listStore(factory);
    this.locks = options.locks === undefined ? globalThis.navigator?.locks : options.locks;
    this.events = options.onlineEvents === undefined ? (globalThis as { window?: OnlineEvents }).window : options.onlineEvents;
    this.events?.addEventListener('online', this.onOnline);
    const online = globalThis.navigator?.onLine !== false;
    this.snapshot = { conversations: [], status: online ? 'syncing' : 'offline', online };
    const Channel = options.BroadcastChannel === undefined ? globalThis.BroadcastChannel : options.BroadcastChannel;
    this.Channel = Channel;
    this.ready = this.load();
    this.channel = Channel ? new Channel('chatkeep-conversations') : undefined;
    if (this.channel) this.channel.onmessage = () => void this.reload();
    void this.ready.then(() => this.sync()).catch(() => undefined);
  }

  get conversations(): readonly ConversationSummary[] {
    return this.snapshot.conversations;
  }
  get status(): ConversationListStatus {
    return this.snapshot.status;
  }
  get online(): boolean {
    return this.snapshot.online;
  }
  /** The owner key sent with each request (`undefined` with `ownerKey: false`), once `ready`. */
  get ownerKey(): string | undefined {
    return this.owner === 'app' && this.options.ownerKey === false ? undefined : this.owner;
  }
  getSnapshot = (): ConversationListSnapshot => this.snapshot;
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A new conversation's session id, listed at once (offline too); the server lists it after its first turn. */
  create(title = NEW_TITLE): string {
    const sessionId = makeSessionId();
    const now = new Date().toISOString();
    const summary: ConversationSummary = { sessionId, title, createdAt: now, updatedAt: now, messageCount: 0 };
    void this.commit({ rows: [{ id: this.rowId(sessionId), owner: this.owner, summary, local: true }] });
    return sessionId;
  }

  /**
   * Keeps the entry of `chat`'s conversation in step with it at once: title, preview and `updatedAt` when a turn is
   * sent or a reply ends (not per streamed token). Returns the function that stops following.
   */
  follow(chat: FollowedChat): () => void {
    let stamp = '';
    const id = this.rowId(chat.sessionId);
    /** The entry as it was before this chat changed it; `null` until the cache is read. */
    let before: ConversationRow | undefined | null = null;
    const update = () => {
      const next = entryStamp(chat.messages);
      if (next === stamp || this.closed) return;
      stamp = next;
      const row = this.rows.get(id);
      if (chat.messages.length === 0) {
        // A first turn the server refused leaves no turn: the entry it made here goes back to what it was.
        if (before !== null && row?.local && row !== before) void this.commit(before ? { rows: [before] } : { dropRows: [id] });
        return;
      }
      const summary = summaryFromMessages(row?.summary, chat.sessionId, chat.messages, NEW_TITLE);
      if (summary) void this.commit({ rows: [{ id, owner: this.owner, summary, ...(row?.summary && !row.local ? {} : { local: true as const }) }] });
    };
    const off = chat.subscribe(update);
    void this.ready.then(() => {
      before = this.rows.get(id);
      update();
    });
    return off;
  }

  /** Renames at once here; sent now, or once when back online. */
  async rename(sessionId: string, title: string): Promise<void> {
    await this.ready;
    const row = this.rows.get(this.rowId(sessionId));
    const rows = row?.summary ? [{ ...row, summary: { ...row.summary, title: title.trim() } }] : [];
    await this.commit({ rows, ops: [this.op(sessionId, 'rename', title.trim())] });
    await this.sync().catch(() => undefined);
  }

  /** Removes at once here; the conversation is deleted on the server now, or once when back online. */
  async remove(sessionId: string): Promise<void> {
    await this.ready;
    await this.commit({ dropRows: [this.rowId(sessionId)], ops: [this.op(sessionId, 'remove')] });
    this.tellChats([sessionId]);
    await this.sync().catch(() => undefined);
  }

  /** Sends what is queued, then reconciles with the server (`since` the last answer). */
  sync(): Promise<void> {
    this.syncing ??= this.ready.then(() => this.reconcile()).finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  close(): void {
    this.closed = true;
    this.events?.removeEventListener('online', this.onOnline);
    this.channel?.close();
    this.store.close();
    this.listeners.clear();
  }

  private rowId = (sessionId: string) => `c:${this.owner}:${sessionId}`;
  private op = (sessionId: string, op: ListOpRow['op'], title?: string): ListOpRow => ({
    id: `${this.owner}:${sessionId}`,
    owner: this.owner,
    sessionId,
    op,
    ...(title === undefined ? {} : { title }),
    at: Date.now(),
  });

  private async load(): Promise<void> {
    const given = this.options.ownerKey;
    if (typeof given === 'string') this.owner = given;
    else if (given !== false) {
      const stored = (await this.store.rows().catch(() => [])).find((r) => r.id === 'k:')?.ownerKey;
      this.owner = stored ?? makeSessionId();
      if (stored === undefined) await this.store.write({ rows: [{ id: 'k:', owner: '', ownerKey: this.owner }] }).catch(() => undefined);
    }
    this.http = new ListHttp(this.options.endpoint ?? DEFAULT_BASE_PATH, this.options.fetch ?? ((i, init) => fetch(i, init)), this.ownerKey);
    await this.reload();
  }

  /** Reads the cached rows of this owner and shows them. */
  private async reload(): Promise<void> {
    const rows = await this.store.rows().catch(() => [...this.rows.values()]);
    this.rows = new Map(rows.filter((r) => r.owner === this.owner).map((r) => [r.id, r]));
    this.show();
  }

  private show(): void {
    const conversations = [...this.rows.values()].flatMap((r) => (r.summary ? [r.summary] : [])).sort(newestFirst);
    this.set({ conversations });
  }

  private set(change: Partial<ConversationListSnapshot>): void {
    if (this.closed) return;
    this.snapshot = { ...this.snapshot, ...change };
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // A subscriber that throws changes nothing.
      }
    }
  }

  /** One change to the cache: shown here, written, and told to the other tabs. */
  private async commit(change: { rows?: ConversationRow[]; ops?: ListOpRow[]; dropRows?: string[]; dropOps?: string[] }) {
    for (const row of change.rows ?? []) this.rows.set(row.id, row);
    for (const id of change.dropRows ?? []) this.rows.delete(id);
    this.show();
    await this.store.write(change).catch(() => undefined);
    // A write that lands after close() tells no one: the channel is closed with the list.
    if (!this.closed) this.channel?.postMessage('changed');
  }

  /**
   * Tells every `ChatClient` open on these conversations, in any tab, that they are gone: on the channel its tabs
   * share, as a tab that deleted the conversation would. It forgets the conversation and rejects the `send()`s still
   * waiting with `conversation_deleted`.
   */
  private tellChats(sessionIds: readonly string[]): void {
    if (this.closed || !this.Channel) return;
    for (const sessionId of sessionIds) {
      const channel = new this.Channel(`chatkeep:${sessionId}`);
      channel.postMessage({ clear: true } satisfies TabMessage);
      channel.close();
    }
  }

  private async reconcile(): Promise<void> {
    const http = this.http!;
    this.set({ status: 'syncing' });
    try {
      // One tab sends the queue; a change queued twice is one row, so it is sent once.
      await runExclusive(this.locks, `chatkeep-conversations:${this.owner}`, () => this.flush(http), true);
      const state = this.rows.get(`m:${this.owner}`);
      const { conversations, ids, cursor } = await http.list(state?.cursor);
      const pending = new Set((await this.store.ops().catch(() => [])).filter((o) => o.op === 'remove').map((o) => o.sessionId));
      const rows: ConversationRow[] = [{ id: `m:${this.owner}`, owner: this.owner, cursor }];
      for (const summary of conversations) if (!pending.has(summary.sessionId)) rows.push({ id: this.rowId(summary.sessionId), owner: this.owner, summary });
      const dropRows: string[] = [];
      const removedElsewhere: string[] = [];
      for (const row of this.rows.values()) {
        const id = row.summary?.sessionId;
        if (id === undefined) continue;
        if (ids.has(id) && row.local) rows.push({ id: row.id, owner: row.owner, summary: row.summary! });
        else if (!ids.has(id) && !row.local) dropRows.push(row.id), removedElsewhere.push(id);
      }
      await this.commit({ rows, dropRows });
      this.tellChats(removedElsewhere);
      this.set({ status: 'idle', online: true });
    } catch (error) {
      this.set(isOffline(error) ? { status: 'offline', online: false } : { status: 'idle' });
      throw error;
    }
  }

  private async flush(http: ListHttp): Promise<void> {
    const ops = (await this.store.ops()).filter((o) => o.owner === this.owner).sort((a, b) => a.at - b.at);
    for (const op of ops) {
      // A conversation only made here is not on the server's list yet: its rename waits there, unsent.
      if (op.op === 'rename' && this.rows.get(this.rowId(op.sessionId))?.local) continue;
      try {
        const summary = await http.send(op.op, op.sessionId, op.title);
        if (summary) this.rows.set(this.rowId(op.sessionId), { id: this.rowId(op.sessionId), owner: this.owner, summary });
      } catch (error) {
        // Offline: kept for the next try. Refused (400, 403, 404): sending it again would be refused again.
        if (isOffline(error)) throw error;
      }
      await this.store.write({ dropOps: [op.id] });
    }
  }
}
