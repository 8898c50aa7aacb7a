import type { ChatMessage } from '../../sdk/protocol';
import type { RequestOutcome } from './protocol-client';

/** One user turn as the soak sent it, and what its client learned. */
export interface SentTurn {
  sessionId: string;
  messageId: string;
  content: string;
  disconnected: boolean;
  /** The final reply the client ended with (`undefined`: it never learned one). */
  reply: ChatMessage | undefined;
  requests: RequestOutcome[];
  failures: string[];
}

export interface SoakFigures {
  conversations: number;
  turnsSent: number;
  /** User turns found in history exactly as sent. */
  userTurnsPersisted: number;
  /** Replies found in history, final and `complete`. */
  repliesPersisted: number;
  /** Sent turns missing from history, or whose reply is missing or not complete. */
  lost: number;
  /** Extra records: a user turn stored twice (same content, other id), or more than one reply to a turn. */
  duplicates: number;
  /** Records in history the soak never sent (nor a reply to something it sent). */
  strangers: number;
  /** Replies whose stored text differs from the text the client was given at `done`. */
  mismatched: number;
  disconnects: number;
  requests: number;
  failedRequests: number;
  /** failedRequests / requests; deliberate disconnects and `reply_in_progress` answers are not failures. */
  errorRate: number;
  /** A few failure descriptions, for the log. */
  sampleFailures: string[];
}

const FAILED: readonly RequestOutcome[] = ['http_error', 'network_error', 'stream_error'];

/** Compares what was sent with what every conversation's history holds. Pure. */
export function tally(sent: SentTurn[], histories: Map<string, ChatMessage[]>): SoakFigures {
  const figures: SoakFigures = {
    conversations: histories.size,
    turnsSent: sent.length,
    userTurnsPersisted: 0,
    repliesPersisted: 0,
    lost: 0,
    duplicates: 0,
    strangers: 0,
    mismatched: 0,
    disconnects: sent.filter((t) => t.disconnected).length,
    requests: 0,
    failedRequests: 0,
    errorRate: 0,
    sampleFailures: [],
  };
  const sentIds = new Set(sent.map((t) => t.messageId));
  for (const turn of sent) {
    const history = histories.get(turn.sessionId) ?? [];
    const users = history.filter((m) => m.role === 'user' && (m.id === turn.messageId || m.content === turn.content));
    const replies = history.filter((m) => m.role === 'assistant' && m.replyTo === turn.messageId);
    const stored = users.find((m) => m.id === turn.messageId && m.content === turn.content);
    const reply = replies[0];
    if (stored !== undefined) figures.userTurnsPersisted++;
    if (reply?.status === 'complete' && reply.content.length > 0) figures.repliesPersisted++;
    if (stored === undefined || reply?.status !== 'complete') figures.lost++;
    figures.duplicates += Math.max(0, users.length - 1) + Math.max(0, replies.length - 1);
    if (reply !== undefined && turn.reply !== undefined && !turn.disconnected && reply.content !== turn.reply.content) figures.mismatched++;
    figures.requests += turn.requests.length;
    figures.failedRequests += turn.requests.filter((r) => FAILED.includes(r)).length;
    if (figures.sampleFailures.length < 10) figures.sampleFailures.push(...turn.failures.slice(0, 10 - figures.sampleFailures.length));
  }
  for (const history of histories.values()) {
    figures.strangers += history.filter((m) => !sentIds.has(m.role === 'user' ? m.id : (m.replyTo ?? ''))).length;
  }
  figures.errorRate = figures.requests === 0 ? 0 : figures.failedRequests / figures.requests;
  return figures;
}
