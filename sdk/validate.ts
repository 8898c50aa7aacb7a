import { isFinalStatus, isValidId, MESSAGE_STATUSES, type ChatMessage } from './protocol';

/**
 * Whether a record from the server is well formed and belongs to `sessionId`. The cache keeps only such records:
 * whatever a broken proxy or a hostile server sends, what the app renders and stores has the shape it expects.
 */
export const isMessageOf = (m: unknown, sessionId: string): m is ChatMessage => {
  const r = m as Partial<ChatMessage> | null;
  return (
    isValidId(r?.id) &&
    r.sessionId === sessionId &&
    (r.role === 'user' || r.role === 'assistant') &&
    MESSAGE_STATUSES.includes(r.status!) &&
    typeof r.content === 'string' &&
    Date.parse(r.timestamp!) >= 0 &&
    (r.replyTo === undefined || isValidId(r.replyTo))
  );
};

/** Whether a record from the server is the final record of the reply `replyId` of `sessionId`. */
export const isFinalReply = (m: unknown, sessionId: string, replyId: string): m is ChatMessage =>
  isMessageOf(m, sessionId) && m.id === replyId && m.role === 'assistant' && isFinalStatus(m.status);
