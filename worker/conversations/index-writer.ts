import type { ChatKvNamespace } from '../cloudflare-types';
import type { ModelProvider } from '../providers/model-provider';
import { entryAfterExchange, renamedEntry, sameEntry, type Exchange, type IndexEntry } from './index-entry';
import { modelTitle } from './model-title';
import { OwnerIndex } from './owner-index';

export interface IndexWriterOptions {
  /** How long an entry lives after its last exchange; the conversation's retention. */
  retentionSeconds?: number;
  /** With the Worker option `titles: 'model'`: the model that writes each conversation's one title. */
  titleModel?: ModelProvider;
}

/** What {@link IndexWriter.record} did: KV writes are counted per exchange, so "unchanged" is a result. */
export type RecordResult = 'written' | 'unchanged';

/**
 * A conversation's entry in its owner's index, kept by the conversation's one writer (its Durable Object): it
 * remembers the entry it last wrote, so an exchange costs at most one KV write and none when nothing changed, and
 * only a cold start reads the entry back (one `list()`). Renames go through it too, or a later exchange would write
 * the old title back over a rename it never saw.
 */
export class IndexWriter {
  private readonly index: OwnerIndex;
  /** `null`: not read yet; `undefined`: no entry. */
  private last: IndexEntry | undefined | null = null;
  /**
   * Writes run one at a time: a rename landing while an exchange's write is in flight would otherwise be written
   * over by it (the exchange computed its entry from the title before the rename).
   */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    kv: ChatKvNamespace,
    readonly owner: string,
    readonly sessionId: string,
    private readonly options: IndexWriterOptions = {},
  ) {
    this.index = new OwnerIndex(kv, owner, options.retentionSeconds);
  }

  private async current(): Promise<IndexEntry | undefined> {
    if (this.last === null) this.last = (await this.index.find(this.sessionId))?.entry;
    return this.last;
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Called once an exchange is persisted (its reply final): writes the entry if it changed. */
  record(exchange: Exchange): Promise<RecordResult> {
    return this.serially(() => this.recordNow(exchange));
  }

  private async recordNow(exchange: Exchange): Promise<RecordResult> {
    const previous = await this.current();
    let next = entryAfterExchange(previous, exchange);
    const { titleModel } = this.options;
    if (previous === undefined && titleModel !== undefined && exchange.reply !== undefined) {
      const title = await modelTitle(titleModel, exchange.userTurn.content, exchange.reply.content);
      if (title !== undefined) next = { summary: { ...next.summary, title }, titleSource: 'model' };
    }
    if (sameEntry(previous, next)) return 'unchanged';
    await this.index.put(next);
    this.last = next;
    return 'written';
  }

  /** A rename: the entry with its new title, or `undefined` when the conversation has no entry for this owner. */
  rename(title: string, nowIso: string): Promise<IndexEntry | undefined> {
    return this.serially(() => this.renameNow(title, nowIso));
  }

  private async renameNow(title: string, nowIso: string): Promise<IndexEntry | undefined> {
    const stored = await this.index.find(this.sessionId);
    if (stored === undefined) {
      this.last = undefined;
      return undefined;
    }
    const next = renamedEntry(stored.entry, title, nowIso);
    if (!sameEntry(stored.entry, next)) await this.index.rewrite(next, stored.expiration);
    this.last = next;
    return next;
  }

  /** The conversation was deleted: its entry goes, and a later exchange starts a new one. */
  remove(): Promise<void> {
    return this.serially(async () => {
      await this.index.delete(this.sessionId);
      this.last = undefined;
    });
  }
}
