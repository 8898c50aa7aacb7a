import type { ChatMessage, Role } from '../../sdk/protocol';
import { indexConversation } from '../store/conversation-index';
import type { SessionStore } from '../store/session-store';

/**
 * What the conversation object remembers of its conversation once it has listed it: every id with its role (for
 * idempotency and the turn limit) and the recent messages the model sees. The object is the only writer of its
 * conversation, so it keeps this current as it writes, and a warm conversation starts the model with no KV read.
 */
export class WarmContext {
  private constructor(
    /** Every id the conversation holds; the role is `undefined` for records written without metadata. */
    private readonly roles: Map<string, Role | undefined>,
    private turns: number,
    /** The most recent records, oldest first; a little longer than the window, so a retried turn can be left out. */
    private window: ChatMessage[],
    private readonly windowSize: number,
  ) {}

  /** Lists the conversation once (as `POST /chat` without the object does on every turn). */
  static async load(store: SessionStore, contextWindow: number): Promise<WarmContext> {
    const index = await indexConversation(store);
    const roles = new Map<string, Role | undefined>();
    for (const [id, entry] of index.byId) roles.set(id, entry.metadata?.role);
    const window = await index.recent(contextWindow + 2, new Set());
    return new WarmContext(roles, index.turnCount, window, contextWindow + 2);
  }

  has(id: string): boolean {
    return this.roles.has(id);
  }

  /** Records the conversation holds, as far as this object has seen them written. */
  get messageCount(): number {
    return this.roles.size;
  }

  get turnCount(): number {
    return this.turns;
  }

  /** The `count` most recent messages with text, oldest first, without the turn being answered. */
  recent(count: number, exclude: ReadonlySet<string>): ChatMessage[] {
    if (count === 0) return [];
    return this.window.filter((message) => !exclude.has(message.id) && message.content.length > 0).slice(-count);
  }

  /** A record this object wrote: a new user turn, or a reply's first or final record. */
  remember(message: ChatMessage): void {
    if (!this.roles.has(message.id) && message.role === 'user') this.turns++;
    this.roles.set(message.id, message.role);
    this.window = this.window.filter((known) => known.id !== message.id);
    this.window.push(message);
    if (this.window.length > this.windowSize) this.window = this.window.slice(-this.windowSize);
  }
}
