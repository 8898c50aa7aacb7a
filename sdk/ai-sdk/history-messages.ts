import type { UIMessage } from 'ai';
import { ChatError } from '../index';
import { ROUTE, type ChatMessage, type ChatPart, type HistoryResponseBody } from '../protocol';
import { isMessageOf } from '../validate';
import { requestWorker, type WorkerAccess } from './worker-request';

type UIPart = UIMessage['parts'][number];

/**
 * One chatkeep part as the UI part `useChat` shows: text and reasoning as they are (`streaming` for the last part
 * of a reply still running), a tool part as the AI SDK's `tool-<name>` part in the state its result puts it in.
 */
function uiPart(part: ChatPart, streaming: boolean): UIPart {
  const state = streaming ? 'streaming' : 'done';
  if (part.type !== 'tool') return { type: part.type, text: part.text, state };
  const { toolCallId, input } = part;
  const type = `tool-${part.name}` as const;
  if (part.state === 'done') return { type, toolCallId, state: 'output-available', input, output: part.output };
  if (part.state === 'error') return { type, toolCallId, state: 'output-error', input, errorText: part.error?.message ?? 'The tool failed' };
  return { type, toolCallId, state: 'input-available', input };
}

/** The UI parts of a record: its parts, or one text part of its content. */
function uiParts(record: ChatMessage): UIPart[] {
  const parts: readonly ChatPart[] = record.parts ?? [{ type: 'text', text: record.content }];
  const last = parts.length - 1;
  return parts.map((part, index) => uiPart(part, record.status === 'streaming' && index === last));
}

/**
 * Turns chatkeep records (history, or `ChatClient.messages`) into `UIMessage`s for `useChat`'s initial messages,
 * with the record's id, so a later reconnect replaces the same message: a record of text only as one text part,
 * a reply with parts as its reasoning, text and `tool-<name>` parts, in order.
 *
 * @example
 * ```ts
 * const initialMessages = toUIMessages(history.messages);
 * ```
 */
export function toUIMessages<UI_MESSAGE extends UIMessage = UIMessage>(records: readonly ChatMessage[]): UI_MESSAGE[] {
  return records.map((record) => ({ id: record.id, role: record.role, parts: uiParts(record) }) as UI_MESSAGE);
}

/**
 * Reads a conversation's history from the Worker (every page of it) as `UIMessage`s, for `useChat`'s initial
 * messages. Rejects with a `ChatError` when the Worker refuses or cannot be reached.
 *
 * @example
 * ```ts
 * const messages = await loadUIMessages(sessionId, { endpoint: '/api' });
 * const chat = useChat({ id: sessionId, messages, transport, resume: true });
 * ```
 */
export async function loadUIMessages<UI_MESSAGE extends UIMessage = UIMessage>(
  sessionId: string,
  access: WorkerAccess = {},
): Promise<UI_MESSAGE[]> {
  return toUIMessages<UI_MESSAGE>((await readHistory(sessionId, access)).messages);
}

/** Every record of a conversation (or those written after `since`), and the cursor to pass as `since` next. */
export async function readHistory(
  sessionId: string,
  access: WorkerAccess,
  options: { since?: string; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<{ messages: ChatMessage[]; cursor: string }> {
  const messages: ChatMessage[] = [];
  let cursor: string | undefined;
  // A server paging in circles would never end this loop: a page seen before is refused.
  const pages = new Set<string>();
  for (let page: string | null = null; ; ) {
    const query = new URLSearchParams({ sessionId });
    if (options.since) query.set('since', options.since);
    if (page) query.set('cursor', page);
    const response = await requestWorker(access, `${ROUTE.history}?${query}`, { headers: options.headers, signal: options.signal });
    const body = (await response.json().catch(() => undefined)) as Partial<HistoryResponseBody> | undefined;
    if (body?.sessionId !== sessionId || !Array.isArray(body.messages))
      throw new ChatError('bad_response', 'not a history of this conversation');
    // Only well-formed records of this conversation reach the UI.
    messages.push(...body.messages.filter((record) => isMessageOf(record, sessionId)));
    cursor ??= body.cursor;
    page = body.nextPage ?? null;
    if (page === null) return { messages, cursor: String(cursor) };
    if (pages.has(page)) throw new ChatError('bad_response', 'endless paging');
    pages.add(page);
  }
}
