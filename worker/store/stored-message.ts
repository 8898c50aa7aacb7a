import {
  MESSAGE_STATUSES,
  ROLES,
  type ChatMessage,
  type ErrorInfo,
  type MessageStatus,
  type Role,
} from '../../sdk/protocol';
import { isPart } from '../../sdk/validate';

/**
 * What each KV key carries in its list metadata, so history can answer from `list()` alone. `content` is present
 * only when the whole object fits in KV's metadata limit; otherwise the value must be read.
 */
export interface MessageMetadata {
  v: 1;
  role: Role;
  timestamp: string;
  status: MessageStatus;
  updatedAt: string;
  replyTo?: string;
  error?: ErrorInfo;
  content?: string;
}

/** KV refuses metadata over 1024 bytes once serialized. */
export const MAX_METADATA_BYTES = 1024;

const encoder = new TextEncoder();

function byteLength(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).byteLength;
}

export function metadataFor(message: ChatMessage): MessageMetadata {
  const base: MessageMetadata = {
    v: 1,
    role: message.role,
    timestamp: message.timestamp,
    status: message.status,
    updatedAt: message.updatedAt ?? message.timestamp,
  };
  if (message.replyTo !== undefined) base.replyTo = message.replyTo;
  if (message.error !== undefined) base.error = message.error;
  // A UTF-8 string takes at least one byte per UTF-16 unit, so longer content cannot fit: the checkpoints of a long
  // reply skip serialising it a second time only to measure it. A record with parts never carries its content
  // here: a reader of the listing alone would get the text without the parts, so it reads the value.
  if (message.parts === undefined && message.content.length <= MAX_METADATA_BYTES) {
    const full: MessageMetadata = { ...base, content: message.content };
    if (byteLength(full) <= MAX_METADATA_BYTES) return full;
  }
  // Without an error the fields are a role, a status, two timestamps and an id of at most 128 characters: they fit.
  if (base.error === undefined || byteLength(base) <= MAX_METADATA_BYTES) return base;
  // An oversized error message: keep what list filtering needs; the value holds the rest.
  const { error: _dropped, ...minimal } = base;
  return minimal;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

function isStatus(value: unknown): value is MessageStatus {
  return typeof value === 'string' && (MESSAGE_STATUSES as readonly string[]).includes(value);
}

function isErrorInfo(value: unknown): value is ErrorInfo {
  return isObject(value) && typeof value.code === 'string' && typeof value.message === 'string';
}

export function isMessageMetadata(value: unknown): value is MessageMetadata {
  return (
    isObject(value) &&
    value.v === 1 &&
    isRole(value.role) &&
    typeof value.timestamp === 'string' &&
    isStatus(value.status) &&
    typeof value.updatedAt === 'string'
  );
}

/** The full record when the metadata carries the content, else `undefined` (the value must be read). */
export function messageFromMetadata(sessionId: string, id: string, meta: MessageMetadata): ChatMessage | undefined {
  if (meta.content === undefined || (meta.error === undefined && meta.status === 'error')) return undefined;
  return canonical({
    id,
    sessionId,
    role: meta.role,
    content: meta.content,
    timestamp: meta.timestamp,
    status: meta.status,
    replyTo: meta.replyTo,
    updatedAt: meta.updatedAt,
    error: meta.error,
  });
}

function isoFrom(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  return undefined;
}

const EPOCH = new Date(0).toISOString();

/**
 * Reads a stored value, including records written by the older pattern chatkeep replaces (random ids, no `status`,
 * perhaps only `role`, `content` and a `timestamp`, perhaps plain text): those read as `complete`, so an app that
 * adopts chatkeep keeps its users' history. The key, not the value, decides id and session.
 */
export function messageFromValue(sessionId: string, id: string, raw: string): ChatMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (!isObject(parsed)) {
    return { id, sessionId, role: 'user', content: raw, timestamp: EPOCH, status: 'complete' };
  }
  const timestamp = isoFrom(parsed.timestamp) ?? isoFrom(parsed.createdAt) ?? EPOCH;
  const content = typeof parsed.content === 'string' ? parsed.content : typeof parsed.text === 'string' ? parsed.text : '';
  const message: ChatMessage = {
    id,
    sessionId,
    role: isRole(parsed.role) ? parsed.role : 'user',
    content,
    timestamp,
    status: isStatus(parsed.status) && parsed.status !== 'pending' ? parsed.status : 'complete',
  };
  if (typeof parsed.replyTo === 'string') message.replyTo = parsed.replyTo;
  const updatedAt = isoFrom(parsed.updatedAt);
  if (updatedAt !== undefined) message.updatedAt = updatedAt;
  if (isErrorInfo(parsed.error)) message.error = { code: parsed.error.code, message: parsed.error.message };
  // Only this Worker writes parts, and only on replies; a value edited into something else keeps its text.
  if (message.role === 'assistant' && Array.isArray(parsed.parts) && parsed.parts.every(isPart)) message.parts = parsed.parts;
  return message;
}

/** Last write time in ms, for `since` filtering and staleness. */
export function lastWriteMs(message: Pick<ChatMessage, 'timestamp' | 'updatedAt'>): number {
  const ms = Date.parse(message.updatedAt ?? message.timestamp);
  return Number.isNaN(ms) ? 0 : ms;
}

/**
 * The stored value of a record: `JSON.stringify(canonical(message))`, but with the content's JSON passed in when the
 * caller has it. A streaming reply builds its content's JSON piece by piece (each piece is escaped once anyway, for
 * its `delta` frame), so a checkpoint never escapes the whole text again: with ~30 checkpoints of a long reply that
 * re-escaping was most of their cost.
 *
 * @param contentJson `JSON.stringify(message.content)`, or an equivalent JSON string literal
 */
export function messageJson(message: ChatMessage, contentJson: string = JSON.stringify(message.content)): string {
  let json =
    `{"id":${JSON.stringify(message.id)},"sessionId":${JSON.stringify(message.sessionId)},"role":${JSON.stringify(message.role)}` +
    `,"content":${contentJson},"timestamp":${JSON.stringify(message.timestamp)},"status":${JSON.stringify(message.status)}`;
  if (message.replyTo !== undefined) json += `,"replyTo":${JSON.stringify(message.replyTo)}`;
  if (message.updatedAt !== undefined) json += `,"updatedAt":${JSON.stringify(message.updatedAt)}`;
  if (message.error !== undefined) json += `,"error":${JSON.stringify(message.error)}`;
  if (message.parts !== undefined) json += `,"parts":${JSON.stringify(message.parts)}`;
  return `${json}}`;
}

/**
 * The record with its fields in the wire order (id, sessionId, role, content, timestamp, status, replyTo, updatedAt,
 * error, parts) and absent optional fields left out, so a record reads the same whether it came from metadata or a value.
 */
export function canonical(message: ChatMessage): ChatMessage {
  const out: ChatMessage = {
    id: message.id,
    sessionId: message.sessionId,
    role: message.role,
    content: message.content,
    timestamp: message.timestamp,
    status: message.status,
  };
  if (message.replyTo !== undefined) out.replyTo = message.replyTo;
  if (message.updatedAt !== undefined) out.updatedAt = message.updatedAt;
  if (message.error !== undefined) out.error = message.error;
  if (message.parts !== undefined) out.parts = message.parts;
  return out;
}
