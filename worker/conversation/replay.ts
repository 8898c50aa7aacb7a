import type { ChatMessage } from '../../sdk/protocol';
import type { SseStream } from '../stream/sse-stream';
import { canonical } from '../store/stored-message';

/**
 * Answers a repeated user turn whose reply has ended, without calling the model: `start`, one `delta` with the whole
 * text, then `done` (for `complete` and `aborted`) or `error` (for `error`, including an interrupted reply).
 */
export function replayReply(sse: SseStream, userMessage: ChatMessage, reply: ChatMessage): void {
  sse.event('start', { userMessage, assistantMessage: canonical({ ...reply, content: '', status: 'streaming', error: undefined }) });
  if (reply.content.length > 0) sse.event('delta', { id: reply.id, text: reply.content });
  sendFinal(sse, reply);
}

/** Ends a stream with a final record: `error` for status `error` (an interrupted reply included), else `done`. */
export function sendFinal(sse: SseStream, reply: ChatMessage): void {
  if (reply.status === 'error') {
    sse.event('error', {
      error: reply.error ?? { code: 'model_error', message: 'The reply failed' },
      message: reply,
    });
  } else sse.event('done', { message: reply });
  sse.close();
}
