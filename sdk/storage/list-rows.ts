import type { ConversationSummary } from '../protocol-conversations';

/**
 * A row of the `conversations` table: one owner's cached summary (`id` = `c:${owner}:${sessionId}`), or that
 * owner's list state (`id` = `m:${owner}`: the `since` cursor), or the owner key this browser made (`id` = `k:`).
 */
export interface ConversationRow {
  id: string;
  owner: string;
  summary?: ConversationSummary;
  /** On a summary made here (`create()`) that the server has not listed yet: kept through a reconcile. */
  local?: true;
  /** On the list state row: the `cursor` of the last complete answer. */
  cursor?: string;
  /** On the owner key row. */
  ownerKey?: string;
}

/** A rename or a removal waiting to be sent: one per conversation (`id` = `${owner}:${sessionId}`), the latest wins. */
export interface ListOpRow {
  id: string;
  owner: string;
  sessionId: string;
  op: 'rename' | 'remove';
  /** For a rename. */
  title?: string;
  /** When it was queued, in ms: sent oldest first. */
  at: number;
}
