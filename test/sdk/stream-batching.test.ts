/**
 * How a reply stream reaches subscribers: the deltas of one network read are shown together, as one snapshot, not
 * one snapshot per delta. The server is a `fetch` serving exact chunks, since the point is where the reads end.
 */
import { describe, expect, it } from 'vitest';
import { ChatClient } from '../../sdk/chat-client';
import type { ChatMessage, HistoryResponseBody } from '../../sdk/protocol';
import { memoryStorage } from '../../sdk/storage/memory-storage';
import { closedAfterEach, recordingChannel } from './support';

const SESSION = 'batching-session';
const TURN = 'batching-turn-0001';
const REPLY = 'batching-reply-0001';
const DELTAS = 50;
const AT = Date.parse('2026-01-01T00:00:00.000Z');

const track = closedAfterEach();

const encoder = new TextEncoder();
const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const pieces = Array.from({ length: DELTAS }, (_, i) => `w${i} `);
const user: ChatMessage = { id: TURN, sessionId: SESSION, role: 'user', content: 'Hello', timestamp: new Date(AT).toISOString(), status: 'complete' };
const streaming: ChatMessage = { id: REPLY, sessionId: SESSION, role: 'assistant', content: '', timestamp: new Date(AT + 1).toISOString(), status: 'streaming', replyTo: TURN };
const done: ChatMessage = { ...streaming, content: pieces.join(''), status: 'complete' };
const start = frame('start', { userMessage: user, assistantMessage: streaming });
const deltas = pieces.map((text) => frame('delta', { id: REPLY, text })).join('');
const end = frame('done', { message: done });

/** A client whose reply stream arrives as exactly these reads (`beforeRead` runs before each one). */
async function clientReading(
  reads: string[],
  { channel = null, now = () => AT, beforeRead }: { channel?: typeof BroadcastChannel | null; now?: () => number; beforeRead?: () => void } = {},
): Promise<ChatClient> {
  const history: HistoryResponseBody = { sessionId: SESSION, messages: [], ids: [], cursor: '0', nextPage: null };
  const chat = new ChatClient({
    endpoint: 'http://batching.test/api',
    sessionId: SESSION,
    storage: memoryStorage(),
    BroadcastChannel: channel,
    locks: null,
    onlineEvents: null,
    now,
    makeMessageId: () => TURN,
    fetch: async (url) => {
      if (url.includes('/history')) return Response.json(history);
      let i = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          beforeRead?.();
          const read = reads[i++];
          if (read === undefined) controller.close();
          else controller.enqueue(encoder.encode(read));
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    },
  });
  track(chat);
  await chat.ready;
  await chat.sync();
  return chat;
}

/** The reply's status and text in every snapshot subscribers were told of. */
function watch(chat: ChatClient): string[] {
  const seen: string[] = [];
  chat.subscribe(() => {
    const reply = chat.getSnapshot().messages.find((m) => m.id === REPLY);
    if (reply) seen.push(`${reply.status}:${reply.content}`);
  });
  return seen;
}
const streamed = (text: string) => `streaming:${text}`;
const final = `complete:${done.content}`;

describe('reply stream batching', () => {
  it('shows a read of 50 deltas as one snapshot holding all of them', async () => {
    const chat = await clientReading([start, deltas, end]);
    const seen = watch(chat);
    const reply = await chat.send('Hello');
    expect(reply).toEqual(done);
    // start (empty), the one read of 50 deltas, the final record, then the request's end.
    expect(seen).toEqual([streamed(''), streamed(pieces.join('')), final, final]);
  });

  it('shows deltas split over reads once per read, each snapshot with every delta so far', async () => {
    const half = DELTAS / 2;
    // Cut mid-frame, so the 26th delta completes only in the second read.
    const cut = deltas.indexOf(frame('delta', { id: REPLY, text: pieces[half] })) + 5;
    const chat = await clientReading([start, deltas.slice(0, cut), deltas.slice(cut), end]);
    const seen = watch(chat);
    await chat.send('Hello');
    expect(seen).toEqual([streamed(''), streamed(pieces.slice(0, half).join('')), streamed(pieces.join('')), final, final]);
  });

  it('lets the final record win over deltas of the same read', async () => {
    const chat = await clientReading([start + deltas + end]);
    const seen = watch(chat);
    const reply = await chat.send('Hello');
    expect(reply).toEqual(done);
    expect(chat.messages.find((m) => m.id === REPLY)).toEqual(done);
    // One read holding the whole exchange is shown once, final: no streaming snapshot comes before or after it.
    expect(seen).toEqual([final, final]);
  });

  it('keeps one snapshot object until something changes', async () => {
    const chat = await clientReading([start, deltas, end]);
    const snapshots = new Set<unknown>();
    chat.subscribe(() => {
      // Read twice per notification: the same object both times.
      const a = chat.getSnapshot();
      expect(chat.getSnapshot()).toBe(a);
      snapshots.add(a);
    });
    const before = chat.getSnapshot();
    await chat.send('Hello');
    expect(snapshots.has(before)).toBe(false);
    expect(snapshots.has(chat.getSnapshot())).toBe(true);
    expect(chat.getSnapshot()).toBe(chat.getSnapshot());
  });
});

describe('telling other tabs', () => {
  it('tells other tabs the reply at most once per 50 ms, each time the whole record so far', async () => {
    const { Channel, posted } = recordingChannel();
    let clock = AT;
    const reads = [start, ...pieces.map((text) => frame('delta', { id: REPLY, text })), end];
    const chat = await clientReading(reads, {
      channel: Channel,
      now: () => clock,
      // One read every 10 ms: five reads to each 50 ms.
      beforeRead: () => (clock += 10),
    });
    posted.length = 0;
    await chat.send('Hello');

    const told = posted.flatMap((message) => message.put ?? []).filter((m) => m.id === REPLY && m.status === 'streaming');
    // 50 reads of one delta each: about one post per five reads.
    expect(told.length).toBeGreaterThanOrEqual(9);
    expect(told.length).toBeLessThanOrEqual(12);
    // Each post is the reply as read so far: longer each time, and a beginning of the final text.
    for (const [index, record] of told.entries()) {
      expect(done.content.startsWith(record.content)).toBe(true);
      if (index > 0) expect(record.content.length).toBeGreaterThan(told[index - 1]!.content.length);
    }
    // The rest comes with the final record.
    expect(posted.at(-1)?.put?.find((m) => m.id === REPLY)).toEqual(done);
  });
});
