// Row 6: deltas a second through ChatClient (parse, merge, notify) against bare eventsource-parser, same bytes.
import { createParser } from 'eventsource-parser';
import { expect, it } from 'vitest';
// The built package, as an app runs it: one module, so no call crosses a test runner's module boundary.
import { ChatClient, memoryStorage, type ChatMessage, type Fetch } from '../../../dist/index.js';
import type { HistoryResponseBody } from '../../../sdk/protocol';
import { chatHost } from '../support/chat-host';
import { median, ratio, report } from '../figures';
import { memoryKv } from '../support/memory-kv';
import { pacedModel } from '../support/models';
import { conversationRecords } from '../support/records';
import { chunked, drain, streamOf } from '../support/sse-events';

const DELTAS = 2000;
/** Bytes per network read: a typical TCP read for a stream arriving faster than it is consumed. */
const CHUNK_BYTES = 16 * 1024;
const RUNS = 31;
const SESSION = 'bench-ingest';
/** One user turn per run (the first a warm-up): each run streams its own reply, byte for byte the same length. */
const turnIds = Array.from({ length: RUNS + 1 }, (_, run) => `bench-ingest-u${String(run).padStart(3, '0')}`);

/** The exact bytes the Worker streams for a reply of DELTAS pieces to `userId` (recorded once, replayed to both readers). */
async function recordReply(userId: string): Promise<Uint8Array> {
  const host = chatHost({ kv: memoryKv(), model: pacedModel({ pieces: DELTAS }) });
  const response = await host.fetch('http://bench/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId: SESSION, message: { id: userId, content: 'Stream a long reply.' } }),
  });
  const parts: Uint8Array[] = [];
  const reader = (response.body ?? new ReadableStream<Uint8Array>()).getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
  await host.settled();
  return Buffer.concat(parts);
}

/** A client loaded once with `cached`, as a page is; each send streams the next recorded reply. */
async function chatkeepClient(cached: readonly ChatMessage[], replies: readonly Uint8Array[][]) {
  const history: HistoryResponseBody = { sessionId: SESSION, messages: [...cached], ids: cached.map((m) => m.id), cursor: '0', nextPage: null };
  let sent = 0;
  let streamed = 0;
  const fetch: Fetch = async (url) =>
    url.includes('/history')
      ? Response.json(history)
      : new Response(streamOf(replies[streamed++]!), { headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
  const storage = memoryStorage();
  if (cached.length > 0) await storage.put(SESSION, cached);
  const chat = new ChatClient({ endpoint: 'http://bench/api', sessionId: SESSION, fetch, storage, makeMessageId: () => turnIds[sent++]! });
  await chat.ready;
  await chat.sync();
  let notifications = 0;
  chat.subscribe(() => {
    notifications++;
    chat.getSnapshot();
  });
  return {
    async send(): Promise<{ ms: number; notifications: number }> {
      notifications = 0;
      const started = performance.now();
      const reply = await chat.send('Stream a long reply.');
      const elapsed = performance.now() - started;
      expect(reply.status).toBe('complete');
      return { ms: elapsed, notifications };
    },
    close: () => chat.close(),
  };
}

async function bareRun(chunks: Uint8Array[]): Promise<{ ms: number; deltas: number }> {
  const started = performance.now();
  let text = '';
  let deltas = 0;
  const parser = createParser({
    onEvent(event) {
      const data = JSON.parse(event.data) as { text?: string };
      if (event.event === 'delta') {
        deltas++;
        text += data.text ?? '';
      }
    },
  });
  const decoder = new TextDecoder();
  // The same transport as the client's: a fetch Response over the same reads.
  const reader = new Response(streamOf(chunks)).body!.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) parser.feed(decoder.decode(r.value, { stream: true }));
  return { ms: performance.now() - started, deltas: text.length > 0 ? deltas : 0 };
}

for (const [order, cachedCount] of [
  [1, 0],
  [2, 1000],
  [3, 10_000],
] as const) {
  it(`stream ingest, ${cachedCount} cached messages`, async () => {
    const replies: Uint8Array[][] = [];
    for (const userId of turnIds) replies.push(chunked(await recordReply(userId), CHUNK_BYTES));
    const bytes = replies[0]!.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    expect(await drain(streamOf(replies[0]!))).toBe(bytes);
    // A conversation whose last record is an hour old: the new turn lands after it, where turns land.
    const cached = conversationRecords(SESSION, cachedCount, 200, Date.now() - 3_600_000 - cachedCount * 1000);
    const client = await chatkeepClient(cached, replies);
    const ours: number[] = [];
    const bare: number[] = [];
    let notifications = 0;
    for (let run = 0; run <= RUNS; run++) {
      const c = await client.send();
      const b = await bareRun(replies[run]!);
      expect(b.deltas).toBe(DELTAS);
      notifications = c.notifications;
      if (run > 0) {
        ours.push(c.ms);
        bare.push(b.ms);
      }
    }
    client.close();
    const oursRate = DELTAS / (median(ours) / 1000);
    const bareRate = DELTAS / (median(bare) / 1000);
    const rate = (r: number) => `${Math.round(r).toLocaleString('en')} deltas/s`;
    report({
      row: 6,
      order,
      measure: `Stream ingest, ${DELTAS.toLocaleString('en')} deltas, ${cachedCount.toLocaleString('en')} messages already in the conversation`,
      chatkeep: `${rate(oursRate)} (${median(ours).toFixed(1)} ms, ${notifications} notifications)`,
      baseline: `${rate(bareRate)} (${median(bare).toFixed(1)} ms)`,
      baselineName: 'bare eventsource-parser + JSON.parse + text append',
      ratio: ratio(oursRate, bareRate),
      goal: cachedCount > 0 ? '>= 0.7x' : '>= 0.5x',
      met: oursRate >= bareRate * (cachedCount > 0 ? 0.7 : 0.5),
      method: `node, the built package (dist/index.js); the Worker's recorded SSE bytes (${(bytes / 1024).toFixed(0)} KiB a reply) replayed in ${CHUNK_BYTES / 1024} KiB reads from memory as a fetch Response body to both; one ChatClient loaded once (memoryStorage, one subscriber reading getSnapshot()), each run a ChatClient.send() to its end; median of ${RUNS} interleaved runs after a warm-up`,
    });
  });
}
