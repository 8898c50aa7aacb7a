import type { UIMessageChunk } from 'ai';
import type { ReplyEvent } from '../reply-stream';
import {
  EVENT,
  isFinalStatus,
  type ChatMessage,
  type DeltaEventData,
  type DoneEventData,
  type ErrorEventData,
  type StartEventData,
} from '../protocol';

/** How much of one reply has been turned into UI message chunks. */
export interface ReplyProgress {
  /** The assistant turn's id, once known. */
  messageId?: string;
  /** The text sent as `text-delta`s so far: what `useChat` shows. */
  text: string;
  /** Whether `start` and `text-start` went out. */
  started: boolean;
  /** Whether the reply's last chunk went out (it was final). */
  ended: boolean;
  /** The `id:` of the last event read, to resume after it. */
  lastEventId?: string;
}

export type { ReplyEvent };

export const newProgress = (): ReplyProgress => ({ text: '', started: false, ended: false });

/**
 * Folds one chatkeep event of `POST /chat` or `GET /chat/stream` into `progress`, returning the chunks it adds.
 * Deltas of another reply, a second `start` and anything after the end add nothing. Throws a `SyntaxError` on data
 * that is not JSON.
 */
export function chunksForEvent(progress: ReplyProgress, event: ReplyEvent): UIMessageChunk[] {
  if (event.id) progress.lastEventId = event.id;
  if (progress.ended) return [];
  switch (event.event) {
    case EVENT.start: {
      const { assistantMessage } = JSON.parse(event.data) as StartEventData;
      // The text comes in the deltas that follow, including on a resume that starts mid-reply.
      return begin(progress, assistantMessage.id);
    }
    case EVENT.delta: {
      const { id, text } = JSON.parse(event.data) as DeltaEventData;
      if (!progress.started || id !== progress.messageId || !text) return [];
      progress.text += text;
      return [{ type: 'text-delta', id, delta: text }];
    }
    case EVENT.done:
    case EVENT.error: {
      const data = JSON.parse(event.data) as DoneEventData | ErrorEventData;
      return chunksForRecord(progress, data.message, 'error' in data ? data.error : undefined);
    }
    default:
      return [];
  }
}

/**
 * Brings what `useChat` shows up to `record` (a reply as history holds it), ending the message when the record is
 * final. Text the record extends goes out as one delta; text it does not extend (a stop keeps less than was
 * streamed) replaces the part.
 */
export function chunksForRecord(
  progress: ReplyProgress,
  record: ChatMessage,
  failure: { code: string; message: string } | undefined = record.error,
): UIMessageChunk[] {
  if (progress.ended || (progress.messageId !== undefined && record.id !== progress.messageId)) return [];
  const chunks = begin(progress, record.id);
  const id = record.id;
  if (record.content.startsWith(progress.text)) {
    const rest = record.content.slice(progress.text.length);
    if (rest) chunks.push({ type: 'text-delta', id, delta: rest });
  } else {
    chunks.push({ type: 'reset-step' }, { type: 'text-start', id });
    if (record.content) chunks.push({ type: 'text-delta', id, delta: record.content });
  }
  progress.text = record.content;
  if (!isFinalStatus(record.status)) return chunks;
  progress.ended = true;
  chunks.push({ type: 'text-end', id });
  if (record.status === 'complete') chunks.push({ type: 'finish', finishReason: 'stop' });
  else if (record.status === 'aborted') chunks.push({ type: 'abort', reason: 'stopped' });
  else {
    const error = failure ?? { code: 'internal_error', message: 'the reply failed' };
    chunks.push({ type: 'error', errorText: `${error.code}: ${error.message}` });
  }
  return chunks;
}

function begin(progress: ReplyProgress, messageId: string): UIMessageChunk[] {
  if (progress.started) return [];
  progress.started = true;
  progress.messageId = messageId;
  return [
    { type: 'start', messageId },
    { type: 'text-start', id: messageId },
  ];
}
