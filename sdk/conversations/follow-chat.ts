import type { ChatMessage } from '../protocol';
import type { ConversationSummary } from '../protocol-conversations';

/** The part of a `ChatClient` the list follows (a structural type: the list never imports the client). */
export interface FollowedChat {
  readonly sessionId: string;
  readonly messages: readonly ChatMessage[];
  subscribe(listener: () => void): () => void;
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
const cut = (text: string, max: number) => Array.from(text).slice(0, max).join('').trimEnd();

/** What changes the list's entry: a new last turn, or its status (not every streamed token). */
export const entryStamp = (messages: readonly ChatMessage[]): string => {
  const last = messages.at(-1);
  return last === undefined ? '' : `${messages.length}:${last.id}:${last.status}`;
};

/**
 * The entry a conversation's messages give, as the Worker would make it: the title from the first user turn unless
 * the entry has one of its own, the last turn's preview, the newest time.
 */
export function summaryFromMessages(
  previous: ConversationSummary | undefined,
  sessionId: string,
  messages: readonly ChatMessage[],
  placeholderTitle: string,
): ConversationSummary | undefined {
  const last = messages.at(-1);
  if (last === undefined) return previous;
  const firstTurn = messages.find((m) => m.role === 'user');
  const keepTitle = previous !== undefined && previous.title !== placeholderTitle;
  const updatedAt = last.updatedAt ?? last.timestamp;
  return {
    sessionId,
    title: keepTitle ? previous.title : cut(oneLine(firstTurn?.content ?? ''), 60) || placeholderTitle,
    createdAt: previous?.createdAt ?? messages[0]!.timestamp,
    updatedAt: previous !== undefined && previous.updatedAt > updatedAt ? previous.updatedAt : updatedAt,
    messageCount: Math.max(messages.length, previous?.messageCount ?? 0),
    lastMessage: { role: last.role, status: last.status, preview: cut(oneLine(last.content), 120) },
  };
}
