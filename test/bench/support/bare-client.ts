/**
 * The client a chat app writes without chatkeep: POST the turn, read the SSE with eventsource-parser, keep the
 * messages in an array, and (optionally) cache them. Baseline for the client-side rows.
 */
import { createParser } from 'eventsource-parser';
import type { ChatMessage, ChatStorage, Fetch } from '../../../sdk/index';

export interface BareClientOptions {
  fetch: Fetch;
  sessionId: string;
  /** Where messages are cached; none when left out. */
  storage?: ChatStorage;
  /**
   * `'every-event'` writes the reply on each delta (the naive cache); `'final'` only the finished turns.
   * @defaultValue 'final'
   */
  writes?: 'every-event' | 'final';
}

export interface BareClient {
  messages: ChatMessage[];
  send(id: string, content: string): Promise<ChatMessage | undefined>;
}

export function bareClient(options: BareClientOptions): BareClient {
  const messages: ChatMessage[] = [];
  const everyEvent = options.writes === 'every-event';
  const save = async (list: ChatMessage[]) => options.storage?.put(options.sessionId, list);
  return {
    messages,
    async send(id, content) {
      const response = await options.fetch('http://bench/api/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId: options.sessionId, message: { id, content } }),
      });
      let reply: ChatMessage | undefined;
      const writes: Promise<unknown>[] = [];
      const parser = createParser({
        onEvent(event) {
          const data = JSON.parse(event.data) as Record<string, unknown>;
          if (event.event === 'start') {
            const user = data.userMessage as ChatMessage;
            reply = data.assistantMessage as ChatMessage;
            messages.push(user);
            if (everyEvent) writes.push(save([user, reply]));
          } else if (event.event === 'delta' && reply !== undefined) {
            reply = { ...reply, content: reply.content + String(data.text) };
            if (everyEvent) writes.push(save([reply]));
          } else if (event.event === 'done' || event.event === 'error') {
            reply = data.message as ChatMessage;
            messages.push(reply);
            const user = messages.at(-2);
            writes.push(save(everyEvent || user === undefined ? [reply] : [user, reply]));
          }
        },
      });
      const decoder = new TextDecoder();
      const reader = (response.body ?? new ReadableStream<Uint8Array>()).getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) parser.feed(decoder.decode(r.value, { stream: true }));
      await Promise.all(writes);
      return reply;
    },
  };
}
