import type { EventSourceMessage } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { readSSE } from '../../sdk/sse-reader';

const encoder = new TextEncoder();

/** A body that delivers `bytes` cut at the given offsets. */
function body(bytes: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const points = [0, ...cuts, bytes.length];
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i >= points.length - 1) return controller.close();
      controller.enqueue(bytes.slice(points[i], points[i + 1]));
      i++;
    },
  });
}

async function read(text: string, cuts: number[] = []) {
  const events: EventSourceMessage[] = [];
  let chunks = 0;
  await readSSE(body(encoder.encode(text), cuts), (e) => events.push(e), () => chunks++);
  return { events, chunks };
}

const STREAM =
  'id: 1\nevent: start\ndata: {"a":1}\n\n' +
  ': ping\n\n' +
  'id: 2\nevent: delta\ndata: {"id":"x","text":"héllo 🌍"}\n\n' +
  'id: 3\nevent: done\ndata: {"ok":true}\n\n';

const EXPECTED: EventSourceMessage[] = [
  { id: '1', event: 'start', data: '{"a":1}' },
  { id: '2', event: 'delta', data: '{"id":"x","text":"héllo 🌍"}' },
  { id: '3', event: 'done', data: '{"ok":true}' },
];

describe('readSSE', () => {
  it('reads events from one chunk and skips comments', async () => {
    expect((await read(STREAM)).events).toEqual(EXPECTED);
  });

  it('reads the same events whatever the chunk boundaries, mid-line and mid-UTF-8 character included', async () => {
    const bytes = encoder.encode(STREAM);
    const emoji = bytes.indexOf(0xf0); // the first byte of 🌍
    const eAcute = bytes.indexOf(0xc3); // the first byte of é
    for (const cuts of [[3], [eAcute + 1], [emoji + 1, emoji + 2, emoji + 3], [10, 20, 30, 40, 50, 60, 70, 80, 90]]) {
      expect((await read(STREAM, cuts)).events).toEqual(EXPECTED);
    }
    // every single-byte split
    const all = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    expect((await read(STREAM, all)).events).toEqual(EXPECTED);
  });

  it('accepts CRLF and CR line endings, also split between CR and LF', async () => {
    const crlf = STREAM.replace(/\n/g, '\r\n');
    expect((await read(crlf)).events).toEqual(EXPECTED);
    const cr = crlf.indexOf('\r');
    expect((await read(crlf, [cr + 1])).events).toEqual(EXPECTED);
    // A lone CR at the very end is ambiguous (an LF may follow), so this stream goes on past it.
    expect((await read(`${STREAM.replace(/\n/g, '\r')}: end\n`)).events).toEqual(EXPECTED);
  });

  it('joins multi-line data with newlines', async () => {
    const { events } = await read('event: delta\ndata: line one\ndata: line two\n\n');
    expect(events).toEqual([{ id: undefined, event: 'delta', data: 'line one\nline two' }]);
  });

  it('reports activity for a stream of comments only, so a caller can tell it is alive', async () => {
    const { events, chunks } = await read(': ping\n\n: ping\n\n', [8]);
    expect(events).toEqual([]);
    expect(chunks).toBe(2);
  });

  it('does not emit an event cut off by the end of the stream', async () => {
    const { events } = await read('event: delta\ndata: {"partial":');
    expect(events).toEqual([]);
  });

  it('an abort ends a read already waiting, even on a transport that never fails it, and cancels the body', async () => {
    let cancelled = false;
    const silent = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('event: delta\ndata: {"text":"one"}\n\n'));
      },
      // Then silence: the transport neither delivers nor fails.
      pull: () => new Promise<void>(() => {}),
      cancel: () => void (cancelled = true),
    });
    const events: string[] = [];
    const controller = new AbortController();
    const reading = readSSE(silent, (event) => events.push(event.data), undefined, controller.signal);
    setTimeout(() => controller.abort(), 20);
    const outcome = await Promise.race([
      reading.then(() => 'ended'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 2_000)),
    ]);
    expect(outcome).toBe('ended');
    expect(events).toEqual(['{"text":"one"}']);
    expect(cancelled).toBe(true);
  });

  it('reads nothing when the signal is aborted before it starts', async () => {
    let pulls = 0;
    const untouched = new ReadableStream<Uint8Array>({ pull: () => void pulls++ }, { highWaterMark: 0 });
    const events: EventSourceMessage[] = [];
    await readSSE(untouched, (event) => events.push(event), undefined, AbortSignal.abort());
    expect(events).toEqual([]);
    expect(pulls).toBe(0);
  });

  it('stops reading once onChunk says the stream has said its last word', async () => {
    const seen: string[] = [];
    let chunks = 0;
    const text = 'event: a\ndata: 1\n\nevent: b\ndata: 2\n\nevent: c\ndata: 3\n\n';
    await readSSE(body(encoder.encode(text), [text.indexOf('event: b'), text.indexOf('event: c')]), (e) => seen.push(e.event!), () => ++chunks === 2);
    expect(seen).toEqual(['a', 'b']);
  });
});
