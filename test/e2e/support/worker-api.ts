/**
 * Talks to the Worker from node, as another device (or a test's own eyes on the server) would: the server's history
 * and a whole exchange over POST /api/chat.
 */
import { randomBytes } from 'node:crypto';
import { createParser } from 'eventsource-parser';
import type { ChatMessage, DoneEventData, ErrorEventData, HistoryResponseBody } from '../../../sdk/protocol';

/** A fresh session id with 128 random bits. */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

/** Every message the server holds for a session, following `nextPage`. */
export async function serverHistory(origin: string, sessionId: string): Promise<ChatMessage[]> {
  const messages: ChatMessage[] = [];
  let page: string | null = null;
  do {
    const url = new URL('/api/history', origin);
    url.searchParams.set('sessionId', sessionId);
    if (page !== null) url.searchParams.set('cursor', page);
    const res = await fetch(url);
    if (!res.ok) throw new Error(`GET ${url.pathname} answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as HistoryResponseBody;
    messages.push(...body.messages);
    page = body.nextPage;
  } while (page !== null);
  return messages;
}

/** Sends one user turn over POST /api/chat and reads the stream to its end; returns the final assistant record. */
export async function sendFromNode(
  origin: string,
  sessionId: string,
  message: { id: string; content: string },
): Promise<ChatMessage> {
  const res = await fetch(new URL('/api/chat', origin), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId, message }),
  });
  if (res.status !== 200 || !res.body) throw new Error(`POST /api/chat answered ${res.status}: ${await res.text()}`);
  let final: ChatMessage | undefined;
  let failure: string | undefined;
  const parser = createParser({
    onEvent(event) {
      if (event.event === 'done') final = (JSON.parse(event.data) as DoneEventData).message;
      if (event.event === 'error') {
        const data = JSON.parse(event.data) as ErrorEventData;
        failure = `${data.error.code}: ${data.error.message}`;
      }
    },
  });
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(decoder.decode(value, { stream: true }));
  }
  if (failure !== undefined) throw new Error(`the reply failed: ${failure}`);
  if (!final) throw new Error('the stream ended without a done event');
  return final;
}

/** The reply an uninterrupted run gives to `prompt`, asked as the first turn of a new session. */
export async function referenceReply(origin: string, prompt: string): Promise<string> {
  const reply = await sendFromNode(origin, newSessionId(), { id: newSessionId(), content: prompt });
  return reply.content;
}
