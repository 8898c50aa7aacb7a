import { DEFAULT_RETENTION_SECONDS } from '../../sdk/protocol';
import type { ChatKvNamespace } from '../cloudflare-types';
import { KV_LIST_LIMIT, storageUnavailable } from '../store/session-store';
import type { IndexEntry } from './index-entry';
import { entryFromMetadata, entryMetadata } from './index-metadata';

/** Every owner's entries live under this; owner and session id are both validated ids, so neither holds a `:`. */
const INDEX_PREFIX = 'conversation:';

/** The full prefix of one owner's entries, trailing `:` included (`alice` never lists `alice2`'s). */
export function ownerPrefix(owner: string): string {
  return `${INDEX_PREFIX}${owner}:`;
}

/** The one key function of the index: the writer and the list route both go through it. */
export function indexKey(owner: string, sessionId: string): string {
  return `${ownerPrefix(owner)}${sessionId}`;
}

/** One page of an owner's index: one KV `list()`. */
export interface IndexPage {
  entries: IndexEntry[];
  /** KV's cursor for the next list; `undefined` after the last. */
  nextCursor: string | undefined;
}

/** An entry read back with the expiration its key has, so a rename keeps it (see {@link OwnerIndex.rewrite}). */
export interface StoredEntry {
  entry: IndexEntry;
  /** Seconds since the epoch, as KV reports it; `undefined` for a key without one. */
  expiration: number | undefined;
}

async function guard<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw storageUnavailable('Storage is unavailable; try again', cause);
  }
}

/**
 * One owner's conversation index in KV. Each entry is a key whose list metadata is the whole summary, and whose
 * value is empty: listing 1,000 conversations is one `list()`, and nothing is ever read by value.
 */
export class OwnerIndex {
  constructor(
    private readonly kv: ChatKvNamespace,
    readonly owner: string,
    private readonly retentionSeconds: number = DEFAULT_RETENTION_SECONDS,
  ) {}

  async list(cursor: string | undefined, limit = KV_LIST_LIMIT): Promise<IndexPage> {
    const prefix = ownerPrefix(this.owner);
    const result = await guard(() => this.kv.list<unknown>({ prefix, limit, ...(cursor === undefined ? {} : { cursor }) }));
    const entries: IndexEntry[] = [];
    for (const key of result.keys) {
      const entry = entryFromMetadata(key.name.slice(prefix.length), key.metadata);
      if (entry !== undefined) entries.push(entry);
    }
    return { entries, nextCursor: result.list_complete ? undefined : result.cursor };
  }

  /**
   * One entry, with one `list()` rather than a `get`: the value is empty, and only a listing reports the key's
   * expiration. The exact key sorts before every longer key it is a prefix of, so one key is enough.
   */
  async find(sessionId: string): Promise<StoredEntry | undefined> {
    const key = indexKey(this.owner, sessionId);
    const result = await guard(() => this.kv.list<unknown>({ prefix: key, limit: 1 }));
    const found = result.keys[0];
    if (found?.name !== key) return undefined;
    const entry = entryFromMetadata(sessionId, found.metadata);
    return entry === undefined ? undefined : { entry, expiration: found.expiration };
  }

  /** Writes an entry after an exchange: it lives as long as the conversation's records, which were just written. */
  async put(entry: IndexEntry): Promise<void> {
    const key = indexKey(this.owner, entry.summary.sessionId);
    await guard(() => this.kv.put(key, '', { expirationTtl: this.retentionSeconds, metadata: entryMetadata(entry) }));
  }

  /** Writes an entry without moving its expiration (a rename is no exchange: the records expire as before). */
  async rewrite(entry: IndexEntry, expiration: number | undefined): Promise<void> {
    const key = indexKey(this.owner, entry.summary.sessionId);
    const lifetime = expiration === undefined ? { expirationTtl: this.retentionSeconds } : { expiration };
    await guard(() => this.kv.put(key, '', { ...lifetime, metadata: entryMetadata(entry) }));
  }

  async delete(sessionId: string): Promise<void> {
    await guard(() => this.kv.delete(indexKey(this.owner, sessionId)));
  }
}
