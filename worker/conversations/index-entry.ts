import type { ChatMessage } from '../../sdk/protocol';
import type { ConversationSummary } from '../../sdk/protocol-conversations';
import { previewOf, titleFromTurn } from './summary-text';

/** Where a title came from: only a title taken from the first turn may be replaced by a model-written one. */
export type TitleSource = 'turn' | 'model' | 'renamed';

/** One conversation in its owner's index. */
export interface IndexEntry {
  summary: ConversationSummary;
  titleSource: TitleSource;
}

/** One exchange as the conversation's writer saw it end. */
export interface Exchange {
  userTurn: ChatMessage;
  /** The reply as persisted (final), absent if the exchange ended before one was written. */
  reply?: ChatMessage;
  /** Records the conversation holds once this exchange is written. */
  messageCount: number;
}

const lastWrite = (message: ChatMessage): string => message.updatedAt ?? message.timestamp;

/**
 * The entry after an exchange: the first one gives the title and `createdAt`; every one moves `updatedAt`, the
 * count and the last message. A pure function, so "unchanged, write nothing" is a comparison.
 */
export function entryAfterExchange(previous: IndexEntry | undefined, exchange: Exchange): IndexEntry {
  const { userTurn, reply, messageCount } = exchange;
  const last = reply ?? userTurn;
  const updatedAt = lastWrite(last);
  const summary: ConversationSummary = {
    sessionId: userTurn.sessionId,
    title: previous?.summary.title ?? titleFromTurn(userTurn.content),
    createdAt: previous?.summary.createdAt ?? userTurn.timestamp,
    // A replayed exchange never moves a conversation back in the list.
    updatedAt: previous !== undefined && previous.summary.updatedAt > updatedAt ? previous.summary.updatedAt : updatedAt,
    messageCount,
    lastMessage: { role: last.role, status: last.status, preview: previewOf(last.content) },
  };
  return { summary, titleSource: previous?.titleSource ?? 'turn' };
}

export function renamedEntry(entry: IndexEntry, title: string, nowIso: string): IndexEntry {
  const updatedAt = nowIso > entry.summary.updatedAt ? nowIso : entry.summary.updatedAt;
  return { summary: { ...entry.summary, title, updatedAt }, titleSource: 'renamed' };
}

export function sameEntry(a: IndexEntry | undefined, b: IndexEntry): boolean {
  if (a === undefined || a.titleSource !== b.titleSource) return false;
  const x = a.summary;
  const y = b.summary;
  return (
    x.title === y.title &&
    x.createdAt === y.createdAt &&
    x.updatedAt === y.updatedAt &&
    x.messageCount === y.messageCount &&
    x.lastMessage?.role === y.lastMessage?.role &&
    x.lastMessage?.status === y.lastMessage?.status &&
    x.lastMessage?.preview === y.lastMessage?.preview
  );
}
