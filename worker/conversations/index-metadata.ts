import { MESSAGE_STATUSES, ROLES, isValidId, type MessageStatus, type Role } from '../../sdk/protocol';
import { type ConversationSummary } from '../../sdk/protocol-conversations';
import type { IndexEntry, TitleSource } from './index-entry';

/**
 * KV keeps at most 1,024 bytes of metadata per key; this leaves room for KV's own encoding. A title is at most
 * 120 characters of one line (480 bytes of UTF-8 at worst), so the preview is what gives way when both are long.
 */
export const MAX_METADATA_BYTES = 1000;

/** An entry as list metadata: short field names, times in ms, so a whole summary rides on the key. */
export interface EntryMetadata {
  v: 1;
  t: string;
  s: TitleSource;
  c: number;
  u: number;
  n: number;
  /** The last message: role, status, preview. */
  l?: [Role, MessageStatus, string];
}

const TITLE_SOURCES: readonly string[] = ['turn', 'model', 'renamed'] satisfies TitleSource[];
const byteLength = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

export function entryMetadata(entry: IndexEntry): EntryMetadata {
  const { summary } = entry;
  const metadata: EntryMetadata = {
    v: 1,
    t: summary.title,
    s: entry.titleSource,
    c: Date.parse(summary.createdAt),
    u: Date.parse(summary.updatedAt),
    n: summary.messageCount,
  };
  const last = summary.lastMessage;
  if (last === undefined) return metadata;
  const chars = Array.from(last.preview);
  // Shortened a character at a time from the end: at most a few hundred steps, once per write.
  for (let keep = chars.length; keep >= 0; keep--) {
    const fitted: EntryMetadata = { ...metadata, l: [last.role, last.status, chars.slice(0, keep).join('')] };
    if (byteLength(fitted) <= MAX_METADATA_BYTES) return fitted;
  }
  return metadata;
}

const isTime = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** The entry a listed key carries, or `undefined` for metadata this Worker did not write. */
export function entryFromMetadata(sessionId: string, metadata: unknown): IndexEntry | undefined {
  if (!isValidId(sessionId) || typeof metadata !== 'object' || metadata === null) return undefined;
  const m = metadata as Partial<Record<keyof EntryMetadata, unknown>>;
  if (m.v !== 1 || typeof m.t !== 'string' || typeof m.s !== 'string' || !TITLE_SOURCES.includes(m.s)) return undefined;
  if (!isTime(m.c) || !isTime(m.u) || !Number.isSafeInteger(m.n) || (m.n as number) < 0) return undefined;
  const summary: ConversationSummary = {
    sessionId,
    title: m.t,
    createdAt: new Date(m.c).toISOString(),
    updatedAt: new Date(m.u).toISOString(),
    messageCount: m.n as number,
  };
  const l = m.l;
  if (Array.isArray(l)) {
    const [role, status, preview] = l as unknown[];
    if (!ROLES.includes(role as Role) || !MESSAGE_STATUSES.includes(status as MessageStatus) || typeof preview !== 'string') return undefined;
    summary.lastMessage = { role: role as Role, status: status as MessageStatus, preview };
  }
  return { summary, titleSource: m.s as TitleSource };
}
