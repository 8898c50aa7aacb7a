import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../sdk/protocol';
import { SseStream } from '../../worker/stream/sse-stream';

const message: ChatMessage = {
  id: 'reply-0001_r',
  sessionId: 'session-0001',
  role: 'assistant',
  content: 'Hi there',
  timestamp: '2026-01-01T00:00:00.000Z',
  status: 'complete',
};

async function chunksOf(stream: ReadableStream<Uint8Array>): Promise<string[]> {
  const decoder = new TextDecoder();
  const chunks: string[] = [];
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(decoder.decode(r.value));
  return chunks;
}

const frame = (id: number, event: string, data: unknown) => `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

describe('SseStream', () => {
  it('frames deltas exactly as event() would, with increasing ids, and sends the first one alone', async () => {
    const sse = new SseStream({ pingIntervalMs: 60_000 });
    const pieces = ['Hi', ' "there"', '\n', 'é👋'];
    for (const piece of pieces) sse.delta(message.id, piece);
    sse.event('done', { message });
    sse.close();
    const chunks = await chunksOf(sse.readable);
    const expected = [...pieces.map((text, i) => frame(i + 1, 'delta', { id: message.id, text })), frame(5, 'done', { message })];
    expect(chunks.join('')).toBe(expected.join(''));
    // The first piece is what a person waits for; the rest of this task's pieces leave together, `done` after them.
    expect(chunks).toEqual([expected[0], expected.slice(1).join('')]);
  });

  it('sends the deltas held in one task as one chunk once that task ends', async () => {
    const sse = new SseStream({ pingIntervalMs: 60_000 });
    const reader = sse.readable.getReader();
    sse.delta(message.id, 'first');
    for (let i = 0; i < 50; i++) sse.delta(message.id, ` w${i}`);
    const decoder = new TextDecoder();
    expect(decoder.decode((await reader.read()).value)).toBe(frame(1, 'delta', { id: message.id, text: 'first' }));
    const held = decoder.decode((await reader.read()).value);
    expect(held.match(/^event: delta$/gm)).toHaveLength(50);
    expect(held.startsWith(frame(2, 'delta', { id: message.id, text: ' w0' }))).toBe(true);
    sse.close();
    expect((await reader.read()).done).toBe(true);
  });

  it('drops what is written after the client went away, without throwing', async () => {
    const sse = new SseStream({ pingIntervalMs: 60_000 });
    sse.delta(message.id, 'seen');
    await sse.readable.cancel();
    expect(sse.open).toBe(false);
    sse.delta(message.id, 'unseen');
    sse.event('done', { message });
    sse.close();
  });

  it('keeps an idle stream open with a ping comment', async () => {
    const sse = new SseStream({ pingIntervalMs: 5 });
    const reader = sse.readable.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(': ping\n\n');
    sse.close();
  });
});
