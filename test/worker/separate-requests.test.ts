import { describe, expect, inject, it } from 'vitest';
import type { ChatMessage, HistoryResponseBody, StartEventData } from '../../sdk/protocol';
import { demoReplyWords } from '../../worker/index';
import { uniqueId } from './support/ids';
import { parseSse } from './support/sse';

/**
 * The deployable Worker under `wrangler dev`: the stop, the delete and the reader of history are requests of their
 * own here, as in production, while a reply streams in another.
 */
const origin = inject('devWorkerOrigin');

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${origin}/api${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function history(sessionId: string): Promise<HistoryResponseBody> {
  return (await (await fetch(`${origin}/api/history?sessionId=${sessionId}`)).json()) as HistoryResponseBody;
}

/** Opens a reply and reads up to its `start`, leaving the rest of the stream unread. */
async function openReply(prompt: string) {
  const sessionId = uniqueId('dev');
  const response = await post('/chat', { sessionId, message: { id: uniqueId('m'), content: prompt } });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  let text = '';
  while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
  const start = parseSse(text.slice(0, text.indexOf('\n\n') + 2)).events[0]?.data as StartEventData;
  const rest = async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text;
      text += new TextDecoder().decode(value);
    }
  };
  /** Reads on until the stream holds a `delta`; the events so far. */
  const untilDelta = async () => {
    const complete = () => parseSse(text.slice(0, text.lastIndexOf('\n\n') + 2)).events;
    while (!complete().some((event) => event.event === 'delta')) {
      text += new TextDecoder().decode((await reader.read()).value);
    }
    return complete();
  };
  return { sessionId, replyId: start.assistantMessage.id, reader, rest, untilDelta };
}

function deltaText(events: { event: string; data: unknown }[]): string {
  return events
    .filter((event) => event.event === 'delta')
    .map((event) => (event.data as { text: string }).text)
    .join('');
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition never held');
}

describe('separate requests against wrangler dev', () => {
  it('a stop sent as its own request ends the reply aborted, and the stream says so', async () => {
    const { sessionId, replyId, rest, untilDelta } = await openReply('Stop me from another request');
    const seen = deltaText(await untilDelta());
    const stop = await post('/chat/stop', { sessionId, messageId: replyId, content: seen });
    expect(stop.status).toBe(200);
    const events = parseSse(await rest()).events;
    const last = events.at(-1);
    expect(last?.event).toBe('done');
    expect((last?.data as { message: ChatMessage }).message).toMatchObject({ status: 'aborted', content: seen });
    const reply = (await history(sessionId)).messages.find((m) => m.id === replyId);
    expect(reply).toMatchObject({ status: 'aborted', content: seen });
  });

  it('a reply followed from another request with Last-Event-ID goes on exactly where that id left it', async () => {
    const prompt = 'Follow me from another request';
    const { sessionId, replyId, rest, untilDelta } = await openReply(prompt);
    const seen = await untilDelta();
    const lastSeen = seen.at(-1);
    const followed = await fetch(`${origin}/api/chat/stream?sessionId=${sessionId}&messageId=${replyId}`, {
      headers: { 'last-event-id': lastSeen?.id ?? '' },
    });
    expect(followed.status).toBe(200);
    const resumed = parseSse(await followed.text()).events;
    expect(deltaText(seen) + deltaText(resumed)).toBe(demoReplyWords(prompt).join(''));
    expect(Number(resumed[0]?.id)).toBeGreaterThan(Number(lastSeen?.id));
    expect(resumed.at(-1)).toEqual(parseSse(await rest()).events.at(-1));
  });

  it('a delete sent mid-reply leaves nothing behind once the reply has ended', async () => {
    const { sessionId, rest } = await openReply('Delete me mid-reply');
    const deleted = await fetch(`${origin}/api/history?sessionId=${sessionId}`, { method: 'DELETE' });
    expect(await deleted.json()).toEqual({ deleted: 2 });
    await rest();
    expect((await history(sessionId)).ids).toEqual([]);
  });

  it('a client that disconnects mid-reply finds the whole reply in history', async () => {
    const prompt = 'Disconnect mid-reply';
    const { sessionId, replyId, reader } = await openReply(prompt);
    await reader.cancel();
    let reply: ChatMessage | undefined;
    await until(async () => {
      reply = (await history(sessionId)).messages.find((m) => m.id === replyId);
      return reply?.status === 'complete';
    });
    expect(reply?.content).toBe(demoReplyWords(prompt).join(''));
  });
});
