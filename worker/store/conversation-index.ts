import type { ChatMessage } from '../../sdk/protocol';
import { compareText } from './compare-text';
import type { ListedMessage, SessionStore } from './session-store';

/** List calls one chat request may spend reading its conversation (each returns up to 1,000 keys). */
const MAX_LIST_CALLS = 5;
/** Gets one chat request may spend learning the timestamps of records written without metadata. */
const MAX_LEGACY_GETS = 200;

/** What a chat request learns about its conversation from listing it. */
export interface ConversationIndex {
  /** Every listed key, by id. */
  byId: Map<string, ListedMessage>;
  /** User turns held (records without metadata count too: their role is unknown without a read). */
  turnCount: number;
  /** The `count` most recent records, oldest first, content resolved; `exclude` ids left out. */
  recent(count: number, exclude: ReadonlySet<string>): Promise<ChatMessage[]>;
}

/**
 * Lists a conversation once for everything `POST /chat` needs: whether the turn already exists (idempotency), how
 * many turns there are, and the recent messages the model sees. Short messages cost no reads at all (their
 * content is in the list metadata); only the few recent ones too big for metadata are read.
 */
export async function indexConversation(store: SessionStore): Promise<ConversationIndex> {
  const entries: ListedMessage[] = [];
  let cursor: string | undefined;
  for (let call = 0; call < MAX_LIST_CALLS; call++) {
    const page = await store.list(cursor);
    entries.push(...page.messages);
    cursor = page.nextCursor;
    if (cursor === undefined) break;
  }
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  const turnCount = entries.filter((entry) => entry.metadata === undefined || entry.metadata.role === 'user').length;

  return {
    byId,
    turnCount,
    async recent(count, exclude) {
      if (count === 0) return [];
      const legacy = new Map<string, ChatMessage>();
      const unknown = entries.filter((e) => e.metadata === undefined && !exclude.has(e.id)).slice(0, MAX_LEGACY_GETS);
      await Promise.all(
        unknown.map(async (entry) => {
          const message = await store.get(entry.id);
          if (message !== undefined) legacy.set(entry.id, message);
        }),
      );
      const dated = entries
        .filter((e) => !exclude.has(e.id))
        .map((e) => ({ entry: e, timestamp: e.metadata?.timestamp ?? legacy.get(e.id)?.timestamp }))
        .filter((d): d is { entry: ListedMessage; timestamp: string } => d.timestamp !== undefined)
        .sort((a, b) => compareText(a.timestamp, b.timestamp) || compareText(a.entry.id, b.entry.id))
        .slice(-count);
      const resolved = await Promise.all(
        dated.map(async ({ entry }) => legacy.get(entry.id) ?? (await store.resolve(entry))),
      );
      return resolved.filter((m): m is ChatMessage => m !== undefined && m.content.length > 0);
    },
  };
}
