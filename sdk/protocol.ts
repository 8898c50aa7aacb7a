/**
 * The wire contract between the chatkeep SDK and the chatkeep Worker.
 *
 * Both halves import this file; nothing here may depend on either of them. New fields are added as optional and
 * never renamed: clients written against an older copy of this file keep working.
 *
 * @packageDocumentation
 */

/** The base path every route lives under unless the app mounts chatkeep elsewhere. */
export const DEFAULT_BASE_PATH = '/api';

/** Route paths, relative to the base path. */
export const ROUTE = {
  chat: '/chat',
  stop: '/chat/stop',
  /** `GET`: follow a reply live (`?sessionId=…&messageId=…`, honours `Last-Event-ID`). */
  chatStream: '/chat/stream',
  history: '/history',
  /** `GET`: the owner's conversations; `PATCH`: rename one. */
  conversations: '/conversations',
} as const;

/** Server-sent event names on `POST /chat` and `GET /chat/stream`. */
export const EVENT = {
  start: 'start',
  delta: 'delta',
  done: 'done',
  error: 'error',
  /** A piece of the model's reasoning; consecutive ones extend one reasoning part. */
  reasoning: 'reasoning',
  /** The model called a tool: a `tool` part, `running`. */
  toolCall: 'tool-call',
  /** A tool finished: its part, found by `toolCallId`, is `done` or `error`. */
  toolResult: 'tool-result',
} as const;
export type EventName = (typeof EVENT)[keyof typeof EVENT];

export const ROLES = ['user', 'assistant'] as const;
export type Role = (typeof ROLES)[number];

/** `pending` exists only in the browser: a user turn the server has not acknowledged yet. */
export const MESSAGE_STATUSES = ['pending', 'streaming', 'complete', 'error', 'aborted'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Statuses after which a record never changes again. */
export const FINAL_STATUSES = ['complete', 'error', 'aborted'] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];

export function isFinalStatus(status: MessageStatus): status is FinalStatus {
  return status === 'complete' || status === 'error' || status === 'aborted';
}

/**
 * Session and message ids. The charset keeps ids safe inside a KV key (`message:${sessionId}:${id}`): a `:` or `/`
 * could reach another session's keys, so such ids are refused, never escaped.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;
export const ID_MIN_LENGTH = 8;
export const ID_MAX_LENGTH = 128;

export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/**
 * A reply's id is its user turn's id plus this suffix. A user turn's id may not end with it, so the two id spaces
 * are disjoint by construction and no user turn can be overwritten by a reply.
 */
export const REPLY_ID_SUFFIX = '_r';

/** One turn of a conversation, as stored in KV and cached in IndexedDB. */
export interface ChatMessage {
  /** `[A-Za-z0-9_-]{8,128}`; the SDK makes time-ordered ids (UUIDv7) for user turns. */
  id: string;
  /** The conversation the turn belongs to. */
  sessionId: string;
  /** Who spoke: the user, or the model's reply. */
  role: Role;
  /** The text; of a streaming reply, the text so far. */
  content: string;
  /** ISO 8601, server clock once persisted; a reply is always later than its user turn. */
  timestamp: string;
  /** `pending` (browser only, not yet acknowledged), `streaming`, or final: `complete`, `error`, `aborted`. */
  status: MessageStatus;
  /** On an assistant turn: the id of the user turn it answers. */
  replyTo?: string;
  /** ISO 8601, server clock of the last write. */
  updatedAt?: string;
  /** Why a reply ended with status `error` (for example `model_error`, `interrupted`). */
  error?: ErrorInfo;
  /**
   * On an assistant turn only, present once the reply has anything but text: its parts in the order the model
   * produced them. `content` stays the concatenation of the text parts, so a reader of `content` keeps working.
   */
  parts?: ChatPart[];
}

/** A value JSON can carry: what a tool takes as input and gives as output. */
export type JSONValue = null | string | number | boolean | JSONValue[] | { [key: string]: JSONValue };

/** Text the reply shows; consecutive text deltas extend one text part. */
export interface TextPart {
  type: 'text';
  text: string;
}

/** The model's reasoning before (or between) what it says; consecutive reasoning events extend one part. */
export interface ReasoningPart {
  type: 'reasoning';
  text: string;
}

/** `running` from the call until the result; then `done` (with `output`) or `error` (with `error`). */
export const TOOL_STATES = ['running', 'done', 'error'] as const;
export type ToolState = (typeof TOOL_STATES)[number];

/** A tool call and, once it finished, its result. */
export interface ToolPart {
  type: 'tool';
  /** Unique within the reply: the `tool-result` event names its call by it. */
  toolCallId: string;
  /** The tool's name, as the model called it. */
  name: string;
  input: JSONValue;
  state: ToolState;
  /** Set when `state` is `done`. */
  output?: JSONValue;
  /** Set when `state` is `error`; its code is one of {@link TOOL_ERROR_CODES} from chatkeep's Worker. */
  error?: ErrorInfo;
}

/** One part of a reply. */
export type ChatPart = TextPart | ReasoningPart | ToolPart;

/**
 * A tool's `input` and `output` are JSON values of at most this many bytes (UTF-8 of their JSON text) each: a
 * larger one makes the part `error`, code `tool_output_too_large`, so one tool cannot swell a record past what KV
 * and every tab's cache hold comfortably.
 */
export const MAX_TOOL_JSON_BYTES = 64 * 1024;

/**
 * The codes a tool part's `error` carries: the tool threw (`tool_error`), its input or output was over
 * {@link MAX_TOOL_JSON_BYTES} (`tool_output_too_large`), or the reply was stopped while it ran (`aborted`). They
 * describe one part, never a response, so they are not among the {@link ERROR_CODES}.
 */
export const TOOL_ERROR_CODES = ['tool_error', 'tool_output_too_large', 'aborted'] as const;
export type ToolErrorCode = (typeof TOOL_ERROR_CODES)[number];

/** Stable error codes. Callers branch on these, never on message text. */
export const ERROR_CODES = [
  // request shape
  'invalid_json',
  'invalid_request',
  'unsupported_media_type',
  'payload_too_large',
  'invalid_session_id',
  'invalid_message_id',
  'empty_content',
  'content_too_long',
  'invalid_cursor',
  'invalid_owner',
  'invalid_title',
  // routing
  'not_found',
  'method_not_allowed',
  // access
  'unauthorized',
  'forbidden',
  'origin_not_allowed',
  'rate_limited',
  'too_many_turns',
  // state
  'reply_in_progress',
  'message_not_found',
  'resume_unavailable',
  'conversation_deleted',
  // faults
  'storage_unavailable',
  'model_error',
  'model_timeout',
  'interrupted',
  'internal_error',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorInfo {
  code: string;
  message: string;
}

/** Every non-2xx response body. */
export interface ErrorResponseBody {
  error: ErrorInfo;
}

/** `POST /chat` body. */
export interface ChatRequestBody {
  sessionId: string;
  message: { id: string; content: string };
}

/** The older form of `POST /chat`, still accepted: the server makes the id. */
export interface LegacyChatRequestBody {
  sessionId: string;
  prompt: string;
}

export interface StartEventData {
  userMessage: ChatMessage;
  assistantMessage: ChatMessage;
}
export interface DeltaEventData {
  id: string;
  text: string;
}
export interface DoneEventData {
  message: ChatMessage;
}
export interface ErrorEventData {
  error: ErrorInfo;
  message: ChatMessage;
}

export interface ReasoningEventData {
  id: string;
  text: string;
}
export interface ToolCallEventData {
  id: string;
  toolCallId: string;
  name: string;
  input: JSONValue;
}
/** A tool's result: its `output`, or the `error` it ended with. */
export type ToolResultEventData =
  | { id: string; toolCallId: string; output: JSONValue }
  | { id: string; toolCallId: string; error: ErrorInfo };

export interface EventDataMap {
  start: StartEventData;
  delta: DeltaEventData;
  done: DoneEventData;
  error: ErrorEventData;
  reasoning: ReasoningEventData;
  'tool-call': ToolCallEventData;
  'tool-result': ToolResultEventData;
}

/** `POST /chat/stop` body; `messageId` is the assistant turn's id, `content` the text the user saw. */
export interface StopRequestBody {
  sessionId: string;
  messageId: string;
  content: string;
}
export interface StopResponseBody {
  message: ChatMessage;
}

/** `GET /history` answer. */
export interface HistoryResponseBody {
  sessionId: string;
  /** Sorted by `timestamp`, then `id`. With `since`: only records written after it (widened by the KV window). */
  messages: ChatMessage[];
  /** Every id the conversation holds now, whatever `since` filtered out. */
  ids: string[];
  /** Pass back as `since` on the next call. Server clock, opaque to clients. */
  cursor: string;
  /** Pass back as `cursor` to read the next page; `null` on the last page. */
  nextPage: string | null;
}

/** `DELETE /history` answer. */
export interface DeleteResponseBody {
  deleted: number;
  /** `true` when the conversation held more keys than one request may delete: call again to delete the rest. */
  more?: boolean;
}

export const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';
export const SSE_CACHE_CONTROL = 'no-cache, no-transform';

/** Workers KV is eventually consistent for up to about 60 s; `since` is widened by this much. */
export const KV_CONSISTENCY_WINDOW_MS = 60_000;
/** KV allows one write per key per second: a streaming reply is checkpointed no more often than this. */
export const CHECKPOINT_INTERVAL_MS = 1_000;
/** A `streaming` record not checkpointed for this long is reported as `error` / `interrupted`. */
export const DEFAULT_STALE_STREAMING_MS = 60_000;
/** How long a conversation is kept after its last write. */
export const DEFAULT_RETENTION_SECONDS = 7 * 24 * 60 * 60;

/** Default size limits the Worker enforces on `POST /chat`; clients may check them before sending. */
export const DEFAULT_MAX_BODY_BYTES = 128 * 1024;
export const DEFAULT_MAX_CONTENT_CHARS = 20_000;

/**
 * The Workers platform allows 1,000 KV operations per request; one history page or delete call stays within this
 * many, so a conversation of any length is read (or deleted) in pages.
 */
export const MAX_KV_OPS_PER_REQUEST = 1_000;
