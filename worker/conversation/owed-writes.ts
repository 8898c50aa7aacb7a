import type { ChatMessage } from '../../sdk/protocol';
import type { ChatDurableObjectStorage } from '../cloudflare-types';
import type { SessionStore } from '../store/session-store';

/** The object's own storage holds, under this prefix, each record KV has not taken yet. */
const OWED_PREFIX = 'owed:';
/** First pause before KV is tried again: KV takes one write per key per second. */
const FIRST_RETRY_MS = 1_000;
/** Longest pause between two tries, however long KV stays down. */
const LONGEST_RETRY_MS = 60_000;

interface OwedRecord {
  record: ChatMessage;
  /** Tries KV has refused so far; the pause before the next one doubles with each. */
  attempts: number;
}

/**
 * Records the object owes KV. A final record KV refused is kept in the object's own storage (durable, and written
 * before the reply's last event goes out) and offered to KV again under an alarm, with backoff, until KV takes it:
 * a reply whose `done` was sent is never lost to a KV fault, a restart included (the alarm outlives the instance).
 * The alarm keeps real time (`Date.now`), whatever clock the records are stamped with.
 */
export class OwedWrites {
  constructor(
    private readonly storage: ChatDurableObjectStorage,
    private readonly storeFor: (sessionId: string) => SessionStore,
    private readonly log: (error: unknown) => void,
  ) {}

  /** Keeps `record` until KV takes it; rejects only when the object's own storage fails too. */
  async owe(record: ChatMessage): Promise<void> {
    const owed: OwedRecord = { record, attempts: 1 };
    await this.storage.put(`${OWED_PREFIX}${record.id}`, owed);
    await this.storage.setAlarm(Date.now() + FIRST_RETRY_MS);
  }

  /** The record owed for `replyId`, newer than KV's. */
  async get(replyId: string): Promise<ChatMessage | undefined> {
    return (await this.storage.get<OwedRecord>(`${OWED_PREFIX}${replyId}`))?.record;
  }

  /** Offers every owed record to KV once; those KV refuses wait for the next alarm, later each time. */
  async flush(): Promise<void> {
    const owed = await this.storage.list<OwedRecord>({ prefix: OWED_PREFIX });
    let nextMs: number | undefined;
    for (const [key, entry] of owed) {
      try {
        await this.storeFor(entry.record.sessionId).put(entry.record);
        await this.storage.delete(key);
      } catch (error) {
        this.log(error);
        const attempts = entry.attempts + 1;
        await this.storage.put(key, { record: entry.record, attempts } satisfies OwedRecord);
        const pause = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempts - 1));
        nextMs = Math.min(nextMs ?? Number.POSITIVE_INFINITY, pause);
      }
    }
    if (nextMs !== undefined) await this.storage.setAlarm(Date.now() + nextMs);
  }
}
