import type { ChatDurableObjectStorage } from '../cloudflare-types';
import { HttpError } from '../http-error';
import { storageUnavailable } from '../store/session-store';

/** The key of the owner in the object's own storage, beside its `running:` and `owed:` rows. */
const OWNER_KEY = 'owner';

/**
 * The 403 every route answers for an owned conversation to anyone but its owner (another owner, or none): a session
 * id alone no longer reaches it.
 */
export function notTheOwner(): HttpError {
  return new HttpError(403, 'forbidden', 'This conversation belongs to another owner');
}

/**
 * Whose conversation this is. The first turn sent with an owner claims it, in the object's own storage, so the claim
 * outlives an eviction or a restart; from then on only that owner is admitted, on every route. A conversation that
 * never had an owner admits anyone, as a session id always did.
 */
export class ConversationOwner {
  private owner: string | undefined;
  private unsaved = false;

  constructor(private readonly storage: ChatDurableObjectStorage) {}

  /** Read before the object handles anything (inside its `blockConcurrencyWhile`). */
  async load(): Promise<void> {
    this.owner = await this.storage.get<string>(OWNER_KEY);
  }

  get current(): string | undefined {
    return this.owner;
  }

  /** Throws {@link notTheOwner} unless the conversation is unowned or `requester`'s. */
  admit(requester: string | undefined): void {
    if (this.owner !== undefined && this.owner !== requester) throw notTheOwner();
  }

  /**
   * An owned turn on an unowned conversation makes it `requester`'s: at once in memory, so another owner's turn
   * racing this one is refused, and in storage by {@link save}, which the turn awaits before anything is written.
   */
  claim(requester: string | undefined): void {
    this.admit(requester);
    if (requester === undefined || this.owner !== undefined) return;
    this.owner = requester;
    this.unsaved = true;
  }

  /** Writes a claim not written yet; a failed write is tried again by the next turn, before its records. */
  async save(): Promise<void> {
    if (!this.unsaved || this.owner === undefined) return;
    try {
      await this.storage.put(OWNER_KEY, this.owner);
      this.unsaved = false;
    } catch (cause) {
      throw storageUnavailable('The conversation could not be stored; try again', cause);
    }
  }

  /** After the object's storage was wiped by a delete: the conversation stays its owner's. */
  async keep(): Promise<void> {
    this.unsaved = true;
    await this.save();
  }
}
