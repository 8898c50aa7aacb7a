import { EVENT, type ChatMessage } from '../../sdk/protocol';
import type { SseStream } from '../stream/sse-stream';
import { canonical } from '../store/stored-message';
import { finalEvent } from './final-record';

/**
 * Answers a repeated user turn whose reply has ended, without calling the model: `start`, the reply's content (one
 * `delta` with the whole text, or, for a reply with parts, one event per part as a stream attached from the start
 * gets them), then `done` (for `complete` and `aborted`) or `error` (for `error`, including an interrupted reply).
 */
export function replayReply(sse: SseStream, userMessage: ChatMessage, reply: ChatMessage): void {
  const { parts: _notYet, ...placeholder } = reply;
  sse.event(EVENT.start, { userMessage, assistantMessage: canonical({ ...placeholder, content: '', status: 'streaming', error: undefined }) });
  sendContent(sse, reply);
  sse.end(finalEvent(reply));
}

/** The events that rebuild a reply's content from nothing: a client folding them gets `reply.parts` exactly. */
function sendContent(sse: SseStream, reply: ChatMessage): void {
  const { id } = reply;
  if (reply.parts === undefined) {
    if (reply.content.length > 0) sse.delta(id, reply.content);
    return;
  }
  for (const part of reply.parts) {
    if (part.type === 'text') sse.event(EVENT.delta, { id, text: part.text });
    else if (part.type === 'reasoning') sse.event(EVENT.reasoning, { id, text: part.text });
    else {
      const { toolCallId, name, input } = part;
      sse.event(EVENT.toolCall, { id, toolCallId, name, input });
      if (part.state === 'done') sse.event(EVENT.toolResult, { id, toolCallId, output: part.output ?? null });
      else if (part.state === 'error' && part.error !== undefined) sse.event(EVENT.toolResult, { id, toolCallId, error: part.error });
    }
  }
}
