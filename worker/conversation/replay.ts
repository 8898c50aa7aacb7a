import type { ChatMessage } from '../../sdk/protocol';
import type { SseStream } from '../stream/sse-stream';
import { canonical } from '../store/stored-message';
import { finalEvent } from './final-record';

/**
 * Answers a repeated user turn whose reply has ended, without calling the model: `start`, one `delta` with the whole
 * text, then `done` (for `complete` and `aborted`) or `error` (for `error`, including an interrupted reply).
 */
export function replayReply(sse: SseStream, userMessage: ChatMessage, reply: ChatMessage): void {
  sse.event('start', { userMessage, assistantMessage: canonical({ ...reply, content: '', status: 'streaming', error: undefined }) });
  if (reply.content.length > 0) sse.delta(reply.id, reply.content);
  sse.end(finalEvent(reply));
}
