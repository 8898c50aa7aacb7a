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
 * Builds the records of an exchange. `stored` is the user turn when a retry finds it already written; the reply's
 * timestamp is always after the user turn's, whatever the clock says.
 */
export function turnRecords(
  turn: ChatTurnRequest,
  userId: string,
  replyId: string,
  stored: ChatMessage | undefined,
  nowMs: number,
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
    updatedAt: replyTimestamp,
  };
  return { userMessage, assistantMessage, isNewTurn: stored === undefined };
}
