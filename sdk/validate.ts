import { isFinalStatus, isValidId, MESSAGE_STATUSES, type ChatMessage, type ChatPart, type ErrorInfo, type ToolPart } from './protocol';

const isErrorInfo = (value: unknown): value is ErrorInfo =>
  typeof (value as ErrorInfo | undefined)?.code === 'string' && typeof (value as ErrorInfo).message === 'string';

const isName = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * Whether a part from the server is well formed: text and reasoning carry a string; a tool part names its call and
 * tool, has an input, and carries exactly what its state says (`running` nothing yet, `done` an output, `error` an
 * error). Inputs and outputs are not measured here: the size limit is the Worker's to keep, and a value read with
 * `JSON.parse` is a JSON value whatever it holds.
 */
export const isPart = (value: unknown): value is ChatPart => {
  const part = value as (Omit<Partial<ToolPart>, 'type'> & { type?: unknown; text?: unknown }) | null;
  if (part?.type === 'text' || part?.type === 'reasoning') return typeof part.text === 'string';
  return (
    part?.type === 'tool' &&
    isName(part.toolCallId) &&
    isName(part.name) &&
    part.input !== undefined &&
    (part.state === 'running'
      ? part.output === undefined && part.error === undefined
      : part.state === 'done'
        ? part.output !== undefined && part.error === undefined
        : part.state === 'error' && part.output === undefined && isErrorInfo(part.error))
  );
};

/**
 * Whether `parts` is a reply's well-formed part list for `content`: every part well formed, no tool call id twice
 * (a result finds its call by it), and `content` exactly the text parts joined, so a reader of `content` and a
 * reader of `parts` see the same words.
 */
const arePartsOf = (parts: unknown, content: string): parts is ChatPart[] => {
  if (!Array.isArray(parts)) return false;
  let text = '';
  const toolCallIds = new Set<string>();
  for (const part of parts) {
    if (!isPart(part)) return false;
    if (part.type === 'text') text += part.text;
    else if (part.type === 'tool') {
      if (toolCallIds.has(part.toolCallId)) return false;
      toolCallIds.add(part.toolCallId);
    }
  }
  return text === content;
};

/**
 * Whether a record from the server is well formed and belongs to `sessionId`. The cache keeps only such records:
 * whatever a broken proxy or a hostile server sends, what the app renders and stores has the shape it expects.
 */
export const isMessageOf = (m: unknown, sessionId: string): m is ChatMessage => {
  const r = m as Partial<ChatMessage> | null;
  return (
    isValidId(r?.id) &&
    r.sessionId === sessionId &&
    (r.role === 'user' || r.role === 'assistant') &&
    MESSAGE_STATUSES.includes(r.status!) &&
    typeof r.content === 'string' &&
    Date.parse(r.timestamp!) >= 0 &&
    (r.replyTo === undefined || isValidId(r.replyTo)) &&
    (r.parts === undefined || (r.role === 'assistant' && arePartsOf(r.parts, r.content)))
  );
};

/** Whether a record from the server is the final record of the reply `replyId` of `sessionId`. */
export const isFinalReply = (m: unknown, sessionId: string, replyId: string): m is ChatMessage =>
  isMessageOf(m, sessionId) && m.id === replyId && m.role === 'assistant' && isFinalStatus(m.status);
