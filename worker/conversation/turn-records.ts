import type { ChatMessage } from '../../sdk/protocol';
import type { ChatTurnRequest } from '../routes/chat-request';
import { isoAfter } from '../store/timestamps';

/** The records an exchange writes before `start`: the user turn and its reply, `streaming` and still empty. */
export interface TurnRecords {
  userMessage: ChatMessage;
  assistantMessage: ChatMessage;
  /** The user turn is not stored yet and must be written. */
  isNewTurn: boolean;
}

/**
 * Builds the records of an exchange. `stored` is the user turn when a retry finds it already written, `replaced`
 * the reply record a new run overwrites; the reply's timestamp is always after the user turn's, and its `updatedAt`
 * after the replaced record's, whatever the clock says (clients keep the newer of two records).
 */
export function turnRecords(
  turn: ChatTurnRequest,
  userId: string,
  replyId: string,
  stored: ChatMessage | undefined,
  nowMs: number,
  replaced?: ChatMessage,
): TurnRecords {
  let userMessage = stored;
  if (userMessage === undefined) {
    const timestamp = isoAfter(nowMs);
    userMessage = {
      id: userId,
      sessionId: turn.sessionId,
      role: 'user',
      content: turn.content,
      timestamp,
      status: 'complete',
      updatedAt: timestamp,
    };
  }
  const replyTimestamp = isoAfter(nowMs, userMessage.timestamp);
  const assistantMessage: ChatMessage = {
    id: replyId,
    sessionId: turn.sessionId,
    role: 'assistant',
    content: '',
    timestamp: replyTimestamp,
    status: 'streaming',
    replyTo: userId,
    updatedAt: replaced === undefined ? replyTimestamp : isoAfter(nowMs, replaced.updatedAt ?? replaced.timestamp),
  };
  return { userMessage, assistantMessage, isNewTurn: stored === undefined };
}
