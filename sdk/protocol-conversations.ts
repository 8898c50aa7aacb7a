/**
 * The wire contract of a signed-in user's conversation index (`GET` and `PATCH /conversations`), beside the chat
 * contract in protocol.ts. Like it, imported by both halves; new fields are added as optional and never renamed.
 */

import type { MessageStatus, Role } from './protocol';

/**
 * The request header naming its owner when the Worker has no `owner` option and no session token: an *owner key*,
 * a bearer capability like a session id, at least {@link OWNER_KEY_MIN_LENGTH} characters of the id alphabet.
 */
export const OWNER_HEADER = 'X-Chatkeep-Owner';
export const OWNER_KEY_MIN_LENGTH = 22;
/** A conversation's title from its first user turn is cut to this many characters. */
export const TURN_TITLE_MAX_CHARS = 60;
/** A renamed title is 1 to this many characters, trimmed. */
export const TITLE_MAX_CHARS = 120;
/** `lastMessage.preview` holds at most this many characters of the last turn's text. */
export const PREVIEW_MAX_CHARS = 120;

/** One conversation of an owner, as `GET /conversations` lists it. */
export interface ConversationSummary {
  sessionId: string;
  /** The first user turn cut to {@link TURN_TITLE_MAX_CHARS} until renamed (or a model-written title). */
  title: string;
  /** ISO 8601, server clock. */
  createdAt: string;
  /** ISO 8601, server clock of the last exchange or rename: the list is sorted by it, newest first. */
  updatedAt: string;
  messageCount: number;
  lastMessage?: { role: Role; status: MessageStatus; preview: string };
}

/** `GET /conversations` answer. */
export interface ConversationsResponseBody {
  /** Sorted by `updatedAt` descending, then `sessionId`. With `since`: only entries changed after it. */
  conversations: ConversationSummary[];
  /** Every conversation the owner has now (of this page), whatever `since` filtered out. */
  ids: string[];
  /** Pass back as `since`. Server clock, opaque to clients. */
  cursor: string;
  /** Pass back as `cursor` to read the next page; `null` on the last page. */
  nextPage: string | null;
}

/** `PATCH /conversations` body. */
export interface RenameRequestBody {
  sessionId: string;
  title: string;
}
export interface RenameResponseBody {
  conversation: ConversationSummary;
}
