import type { ChatMessage } from '../../sdk/protocol';
import type { ChatDurableObjectStorage } from '../cloudflare-types';
import type { SessionStore } from '../store/session-store';
import { lastWriteMs } from '../store/stored-message';
import { isoAfter } from '../store/timestamps';
import { interrupted } from '../store/stale-streaming';

/** The object's own storage holds only the replies it is running, under this prefix: what a restart must know. */
const RUNNING_PREFIX = 'running:';

/**
 * The replies a conversation object is running, as its own storage lists them. Memory does not survive a restart
 * (a deploy, an eviction, a reset); this list does, so the restarted object can say at once which replies ended.
 */
export class RunningReplies {
  /** The records a restart reported interrupted, by id: a stream cut by that restart ends with them. */
  readonly reported = new Map<string, ChatMessage>();

  constructor(
    private readonly storage: ChatDurableObjectStorage,
    private readonly log: (error: unknown) => void,
  ) {}

  add(placeholder: ChatMessage): Promise<void> {
    return this.storage.put(`${RUNNING_PREFIX}${placeholder.id}`, placeholder);
  }

  /** Rewrites the reply's row with its record so far: what a restart reports, instead of the empty placeholder. */
  checkpoint(snapshot: ChatMessage): Promise<void> {
    return this.storage.put(`${RUNNING_PREFIX}${snapshot.id}`, snapshot);
  }

  /** Never fails: a reply left listed is reported interrupted by the next start, which checks its record first. */
  async remove(replyId: string): Promise<void> {
    try {
      // Awaited inside the try: an object being reset throws here at once rather than rejecting.
      await this.storage.delete(`${RUNNING_PREFIX}${replyId}`);
    } catch (error) {
      this.log(error);
    }
  }

  /**
   * After a restart: every reply still listed ends `error` / `interrupted` in KV, with the text and parts of its
   * last checkpoint (this list's row), and is remembered for the Worker's stream guard asking.
   */
  async reportInterrupted(storeFor: (sessionId: string) => SessionStore, now: () => number): Promise<void> {
    const running = await this.storage.list<ChatMessage>({ prefix: RUNNING_PREFIX });
    for (const [key, checkpoint] of running) {
      try {
        const store = storeFor(checkpoint.sessionId);
        const current = await store.get(checkpoint.id);
        if (current?.status === 'streaming') {
          const last = lastWriteMs(checkpoint) >= lastWriteMs(current) ? checkpoint : current;
          const updatedAt = isoAfter(now(), last.updatedAt ?? last.timestamp);
          // A tool that was running is shown ended, as history shows a stale reply.
          const ended = interrupted(last, updatedAt);
          await store.put(ended);
          this.reported.set(ended.id, ended);
        }
        await this.storage.delete(key);
      } catch (error) {
        // Left listed: the next start tries again, and history reports it interrupted once it is stale.
        this.log(error);
      }
    }
  }
}
