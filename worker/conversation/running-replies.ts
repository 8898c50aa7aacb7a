import type { ChatMessage } from '../../sdk/protocol';
import type { ChatDurableObjectStorage } from '../cloudflare-types';
import type { SessionStore } from '../store/session-store';
import { isoAfter } from '../store/timestamps';
import { interrupted } from '../store/stale-streaming';

/** The object's own storage holds only the replies it is running, under this prefix: what a restart must know. */
const RUNNING_PREFIX = 'running:';

/**
 * The replies a conversation object is running, as its own storage lists them. Memory does not survive a restart
 * (a deploy, an eviction, a reset); this list does, so the restarted object can say at once which replies ended.
 */
export class RunningReplies {
  constructor(
    private readonly storage: ChatDurableObjectStorage,
    private readonly log: (error: unknown) => void,
  ) {}

  add(placeholder: ChatMessage): Promise<void> {
    return this.storage.put(`${RUNNING_PREFIX}${placeholder.id}`, placeholder);
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

  /** After a restart: every reply still listed ends `error` / `interrupted` in KV, its text (last checkpoint) kept. */
  async reportInterrupted(storeFor: (sessionId: string) => SessionStore, now: () => number): Promise<void> {
    const running = await this.storage.list<ChatMessage>({ prefix: RUNNING_PREFIX });
    for (const [key, placeholder] of running) {
      try {
        const store = storeFor(placeholder.sessionId);
        const current = await store.get(placeholder.id);
        if (current?.status === 'streaming') {
          const updatedAt = isoAfter(now(), current.updatedAt ?? current.timestamp);
          // A tool that was running is shown ended, as history shows a stale reply.
          await store.put(interrupted(current, updatedAt));
        }
        await this.storage.delete(key);
      } catch (error) {
        // Left listed: the next start tries again, and history reports it interrupted once it is stale.
        this.log(error);
      }
    }
  }
}
