// Row 6: deltas a second through ChatClient (parse, merge, notify) against bare eventsource-parser, same bytes.
import { createParser } from 'eventsource-parser';
import { expect, it } from 'vitest';
import { ChatClient, memoryStorage, type ChatMessage, type Fetch } from '../../../sdk/index';
import type { HistoryResponseBody } from '../../../sdk/protocol';
import { createChatWorker } from '../../../worker/create-chat-worker';
import { median, ratio, report } from '../figures';
import { inProcess } from '../../../worker/testing/in-process';
import { memoryKv } from '../support/memory-kv';
import { pacedModel } from '../support/models';
import { conversationRecords } from '../support/records';
import { chunked, drain, streamOf } from '../support/sse-events';

const DELTAS = 2000;
/** Bytes per network read: a typical TCP read for a stream arriving faster than it is consumed. */
const CHUNK_BYTES = 16 * 1024;
const RUNS = 11;
const SESSION = 'bench-ingest';
const USER_ID = 'bench-ingest-u1';

/** The exact bytes the Worker streams for a reply of DELTAS pieces (recorded once, replayed to both readers). */
async function recordReply(): Promise<Uint8Array> {
  const host = inProcess(createChatWorker({ kv: memoryKv(), model: pacedModel({ pieces: DELTAS }) }), {});
  const response = await host.fetch('http://bench/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId: SESSION, message: { id: USER_ID, content: 'Stream a long reply.' } }),
  });
  const parts: Uint8Array[] = [];
  const reader = (response.body ?? new ReadableStream<Uint8Array>()).getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
  await host.settled();
  return Buffer.concat(parts);
}

async function chatkeepRun(chunks: Uint8Array[], cached: readonly ChatMessage[]): Promise<{ ms: number; notifications: number }> {
  const history: HistoryResponseBody = { sessionId: SESSION, messages: [...cached], ids: cached.map((m) => m.id), cursor: '0', nextPage: null };
  const fetch: Fetch = async (url) =>
    url.includes('/history')
      ? Response.json(history)
      : new Response(streamOf(chunks), { headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
  const storage = memoryStorage();
  if (cached.length > 0) await storage.put(SESSION, cached);
  const chat = new ChatClient({ endpoint: 'http://bench/api', sessionId: SESSION, fetch, storage, makeMessageId: () => USER_ID });
  await chat.ready;
  await chat.sync();
  let notifications = 0;
  chat.subscribe(() => {
    notifications++;
    chat.getSnapshot();
  });
  const started = performance.now();
  const reply = await chat.send('Stream a long reply.');
  const elapsed = performance.now() - started;
  chat.close();
  expect(reply.status).toBe('complete');
  return { ms: elapsed, notifications };
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
  const reader = streamOf(chunks).getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) parser.feed(decoder.decode(r.value, { stream: true }));
  return { ms: performance.now() - started, deltas: text.length > 0 ? deltas : 0 };
}

for (const [order, cachedCount] of [
  [1, 0],
  [2, 1000],
  [3, 10_000],
] as const) {
  it(`stream ingest, ${cachedCount} cached messages`, async () => {
    const bytes = await recordReply();
    const chunks = chunked(bytes, CHUNK_BYTES);
    expect(await drain(streamOf(chunks))).toBe(bytes.byteLength);
    const cached = conversationRecords(SESSION, cachedCount, 200, Date.now() - 3_600_000);
    const ours: number[] = [];
    const bare: number[] = [];
    let notifications = 0;
    for (let run = 0; run <= RUNS; run++) {
      const c = await chatkeepRun(chunks, cached);
      const b = await bareRun(chunks);
      expect(b.deltas).toBe(DELTAS);
      notifications = c.notifications;
      if (run > 0) {
        ours.push(c.ms);
        bare.push(b.ms);
      }
    }
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
      method: `node, the Worker's recorded SSE bytes (${(bytes.byteLength / 1024).toFixed(0)} KiB) replayed in ${CHUNK_BYTES / 1024} KiB reads from memory; ChatClient.send() to its end with memoryStorage and one subscriber reading getSnapshot(); median of ${RUNS} interleaved runs`,
    });
  });
}
