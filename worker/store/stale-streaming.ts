import type { ChatMessage, ChatPart, ErrorInfo } from '../../sdk/protocol';
import { lastWriteMs } from './stored-message';

/** Why a reply that stopped being written, or whose writer went away, ended. */
export const INTERRUPTED_ERROR = { code: 'interrupted', message: 'The reply stopped before it was complete' } as const;

/** What a tool part still `running` becomes once its reply has ended without its result. */
export const TOOL_ABORTED_ERROR: ErrorInfo = { code: 'aborted', message: 'The reply ended before the tool finished' };

/** The parts with every tool still `running` ended `error`, code `aborted`: a reply that ended runs no tool. */
export function abortRunningTools(parts: readonly ChatPart[]): ChatPart[] {
  return parts.map((part) =>
    part.type === 'tool' && part.state === 'running' ? { ...part, state: 'error', error: TOOL_ABORTED_ERROR } : { ...part },
  );
}

/** A `streaming` record as ended `error` / `interrupted`, text kept and any running tool ended. */
export function interrupted(message: ChatMessage): ChatMessage {
  const ended: ChatMessage = { ...message, status: 'error', error: INTERRUPTED_ERROR };
  if (message.parts !== undefined) ended.parts = abortRunningTools(message.parts);
  return ended;
}

/**
 * The runtime gives `waitUntil` work limited time after a client leaves, so a reply can be cut off for good with its
 * record still `streaming`. Once it has not been checkpointed for `staleStreamingMs` it is reported as ended with
 * `interrupted`, text and parts kept (a tool that was running shown ended), so no client follows a dead reply
 * forever. The stored record is left as it is.
 */
export function presentMessage(message: ChatMessage, nowMs: number, staleStreamingMs: number): ChatMessage {
  if (message.status !== 'streaming' || nowMs - lastWriteMs(message) <= staleStreamingMs) return message;
  return interrupted(message);
}

/**
 * A record's parts made to agree with `content`, a text that shares a beginning with the parts' text (a stop
 * accepted against a checkpoint may cut it or extend it): text parts cut where `content` ends, the parts after that
 * up to the next text kept, an extension added to the last text part, and running tools ended.
 */
export function partsForContent(parts: readonly ChatPart[], content: string): ChatPart[] {
  const kept: ChatPart[] = [];
  let used = 0;
  for (const part of parts) {
    if (part.type !== 'text') {
      kept.push(part);
      continue;
    }
    if (used >= content.length) break;
    const text = content.slice(used, used + part.text.length);
    // Past where the content and the parts agree, the content has the last word.
    if (text !== part.text) break;
    kept.push(part);
    used += text.length;
  }
  if (used < content.length) {
    const last = kept.at(-1);
    const rest = content.slice(used);
    if (last?.type === 'text') kept[kept.length - 1] = { type: 'text', text: last.text + rest };
    else kept.push({ type: 'text', text: rest });
  }
  return abortRunningTools(kept);
}
