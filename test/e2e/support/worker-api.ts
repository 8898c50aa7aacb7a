/**
 * Talks to the Worker from node, as another device would: a whole exchange over POST /api/chat.
 */
import { randomBytes } from 'node:crypto';
import { readSSE } from '../../../sdk/sse-reader';
import type { ChatMessage, DoneEventData, ErrorEventData } from '../../../sdk/protocol';

/** A fresh session id with 128 random bits. */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
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
  await readSSE(res.body, (event) => {
    if (event.event === 'done') final = (JSON.parse(event.data) as DoneEventData).message;
    if (event.event === 'error') {
      const data = JSON.parse(event.data) as ErrorEventData;
      failure = `${data.error.code}: ${data.error.message}`;
    }
  });
  if (failure !== undefined) throw new Error(`the reply failed: ${failure}`);
  if (!final) throw new Error('the stream ended without a done event');
  return final;
}

/** The reply an uninterrupted run gives to `prompt`, asked as the first turn of a new session. */
export async function referenceReply(origin: string, prompt: string): Promise<string> {
  const reply = await sendFromNode(origin, newSessionId(), { id: newSessionId(), content: prompt });
  return reply.content;
}
