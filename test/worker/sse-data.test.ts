import { describe, expect, it } from 'vitest';
import { sseData } from '../../worker/providers/sse-data';

function streamOf(parts: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      const part = parts[i++];
      if (part === undefined) controller.close();
      else controller.enqueue(typeof part === 'string' ? encoder.encode(part) : part);
    },
  });
}

async function dataOf(parts: (string | Uint8Array)[]): Promise<string[]> {
  const out: string[] = [];
  for await (const data of sseData(streamOf(parts), new AbortController().signal)) out.push(data);
  return out;
}

describe('sseData', () => {
  it('joins events split mid-line and mid-field', async () => {
    expect(await dataOf(['da', 'ta: {"a"', ':1}\n', '\ndata: two\n\n'])).toEqual(['{"a":1}', 'two']);
  });

  it('joins a UTF-8 character split across chunks', async () => {
    const bytes = new TextEncoder().encode('data: 👋é\n\n');
    expect(await dataOf([bytes.slice(0, 8), bytes.slice(8, 11), bytes.slice(11)])).toEqual(['👋é']);
  });

  it('accepts CRLF, skips comments and joins multi-line data', async () => {
    expect(await dataOf([': ping\r\n\r\ndata: line one\r\ndata: line two\r\n\r\n'])).toEqual(['line one\nline two']);
  });

  it('stops reading when the consumer stops early', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: one\n\ndata: two\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const data of sseData(body, new AbortController().signal)) {
      expect(data).toBe('one');
      break;
    }
    expect(cancelled).toBe(true);
  });
});
