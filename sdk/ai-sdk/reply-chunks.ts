import type { UIMessageChunk } from 'ai';
import type { ReplyEvent } from '../reply-stream';
import {
  EVENT,
  isFinalStatus,
  type ChatMessage,
  type ChatPart,
  type DeltaEventData,
  type DoneEventData,
  type ErrorEventData,
  type ErrorInfo,
  type StartEventData,
  type ToolCallEventData,
  type ToolPart,
  type ToolResultEventData,
} from '../protocol';

/** How much of one reply has been turned into UI message chunks. */
export interface ReplyProgress {
  /** The assistant turn's id, once known. */
  messageId?: string;
  /** The text sent as `text-delta`s so far (the text parts joined): what a stop keeps. */
  text: string;
  /** The reply's parts as `useChat` shows them so far, in chatkeep's shape; a reply of text only has one text part. */
  parts: ChatPart[];
  /** The UI text or reasoning part still open for deltas: its id, and the index of its chatkeep part. */
  open?: { id: string; index: number };
  /** Whether `start` went out. */
  started: boolean;
  /** Whether the reply's last chunk went out (it was final). */
  ended: boolean;
  /** The `id:` of the last event read, to resume after it. */
  lastEventId?: string;
}

export type { ReplyEvent };

export const newProgress = (): ReplyProgress => ({ text: '', parts: [], started: false, ended: false });

/**
 * The UI part id of the reply's part `index`. The first part takes the reply's own id, so a reply of text only is one
 * text part named by the reply, as before replies had parts; tool parts are named by their call instead.
 */
const uiPartId = (messageId: string, index: number) => (index === 0 ? messageId : `${messageId}-${index}`);

/**
 * Folds one chatkeep event of `POST /chat` or `GET /chat/stream` into `progress`, returning the chunks it adds:
 * text and reasoning as `text-*` and `reasoning-*` triples (one per part), a tool call as `tool-input-available`,
 * its result as `tool-output-available` or `tool-output-error` — the chunks the AI SDK's own route sends, so a tool
 * part reads `tool-<name>` in `useChat` either way. Events of another reply, a second `start`, a result for no
 * running call and anything after the end add nothing. Throws a `SyntaxError` on data that is not JSON.
 */
export function chunksForEvent(progress: ReplyProgress, event: ReplyEvent): UIMessageChunk[] {
  if (event.id) progress.lastEventId = event.id;
  if (progress.ended) return [];
  switch (event.event) {
    case EVENT.start: {
      const { assistantMessage } = JSON.parse(event.data) as StartEventData;
      // The parts come in the events that follow, including on a resume that starts mid-reply.
      return begin(progress, assistantMessage.id);
    }
    case EVENT.delta:
    case EVENT.reasoning: {
      const { id, text } = JSON.parse(event.data) as DeltaEventData;
      if (!progress.started || id !== progress.messageId || typeof text !== 'string' || !text) return [];
      return appendText(progress, event.event === EVENT.delta ? 'text' : 'reasoning', text);
    }
    case EVENT.toolCall: {
      const { id, toolCallId, name, input } = JSON.parse(event.data) as ToolCallEventData;
      if (!progress.started || id !== progress.messageId || toolIndex(progress, toolCallId) >= 0) return [];
      return addTool(progress, { type: 'tool', toolCallId, name, input, state: 'running' });
    }
    case EVENT.toolResult: {
      const data = JSON.parse(event.data) as ToolResultEventData;
      const index = toolIndex(progress, data.toolCallId);
      const call = progress.parts[index] as ToolPart | undefined;
      if (data.id !== progress.messageId || call?.state !== 'running') return [];
      const result: ToolPart = 'error' in data ? { ...call, state: 'error', error: data.error } : { ...call, state: 'done', output: data.output };
      progress.parts[index] = result;
      return [toolOutputChunk(result)];
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
 * final: the rest of each part the record extends, then the parts it adds. Parts it does not extend (a stop keeps
 * less than was streamed) replace what was shown, after a `reset-step`.
 */
export function chunksForRecord(progress: ReplyProgress, record: ChatMessage, failure: ErrorInfo | undefined = record.error): UIMessageChunk[] {
  if (progress.ended || (progress.messageId !== undefined && record.id !== progress.messageId)) return [];
  const chunks = begin(progress, record.id);
  const target: readonly ChatPart[] = record.parts ?? (record.content ? [{ type: 'text', text: record.content }] : []);
  if (!extendsShown(progress.parts, target)) {
    chunks.push({ type: 'reset-step' });
    progress.parts = [];
    progress.open = undefined;
    progress.text = '';
  }
  target.forEach((part, index) => {
    const shown = progress.parts[index];
    if (part.type === 'tool') {
      if (shown === undefined) chunks.push(...addTool(progress, part));
      else if (shown.type === 'tool' && shown.state === 'running' && part.state !== 'running') {
        progress.parts[index] = { ...part };
        chunks.push(toolOutputChunk(part));
      }
    } else {
      const rest = part.text.slice(shown?.type === part.type ? shown.text.length : 0);
      if (rest || shown === undefined) chunks.push(...appendText(progress, part.type, rest, shown === undefined));
    }
  });
  progress.text = record.content;
  if (!isFinalStatus(record.status)) return chunks;
  progress.ended = true;
  chunks.push(...closeOpen(progress));
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
  return [{ type: 'start', messageId }];
}

/** Text or reasoning: extends the last part if it is of that kind (and `fresh` is not asked), else opens one. */
function appendText(progress: ReplyProgress, type: 'text' | 'reasoning', text: string, fresh = false): UIMessageChunk[] {
  const chunks: UIMessageChunk[] = [];
  const lastIndex = progress.parts.length - 1;
  const last = progress.parts[lastIndex];
  let open = progress.open;
  if (fresh || last?.type !== type || open?.index !== lastIndex) {
    chunks.push(...closeOpen(progress));
    const index = progress.parts.push({ type, text: '' }) - 1;
    open = progress.open = { id: uiPartId(progress.messageId!, index), index };
    chunks.push({ type: type === 'text' ? 'text-start' : 'reasoning-start', id: open.id });
  }
  if (text) {
    (progress.parts[open.index] as { text: string }).text += text;
    if (type === 'text') progress.text += text;
    chunks.push({ type: type === 'text' ? 'text-delta' : 'reasoning-delta', id: open.id, delta: text });
  }
  return chunks;
}

function addTool(progress: ReplyProgress, part: ToolPart): UIMessageChunk[] {
  const chunks = closeOpen(progress);
  progress.parts.push({ ...part });
  chunks.push({ type: 'tool-input-available', toolCallId: part.toolCallId, toolName: part.name, input: part.input });
  if (part.state !== 'running') chunks.push(toolOutputChunk(part));
  return chunks;
}

function toolOutputChunk(part: ToolPart): UIMessageChunk {
  return part.state === 'error'
    ? { type: 'tool-output-error', toolCallId: part.toolCallId, errorText: part.error?.message ?? 'The tool failed' }
    : { type: 'tool-output-available', toolCallId: part.toolCallId, output: part.output ?? null };
}

/** Ends the open text or reasoning part, if any. */
function closeOpen(progress: ReplyProgress): UIMessageChunk[] {
  const open = progress.open;
  if (open === undefined) return [];
  progress.open = undefined;
  const type = progress.parts[open.index]?.type === 'reasoning' ? 'reasoning-end' : 'text-end';
  return [{ type, id: open.id }];
}

const toolIndex = (progress: ReplyProgress, toolCallId: string) =>
  progress.parts.findIndex((part) => part.type === 'tool' && part.toolCallId === toolCallId);

/**
 * Whether `target` continues what was shown: the same parts in the same order, each text only longer (and only the
 * last one growing), each tool the same call, a running one perhaps finished since.
 */
function extendsShown(shown: readonly ChatPart[], target: readonly ChatPart[]): boolean {
  if (shown.length > target.length) return false;
  return shown.every((part, index) => {
    const next = target[index]!;
    if (part.type === 'tool') return next.type === 'tool' && next.toolCallId === part.toolCallId && (part.state === 'running' || next.state === part.state);
    if (next.type !== part.type) return false;
    return index === shown.length - 1 ? next.text.startsWith(part.text) : next.text === part.text;
  });
}
