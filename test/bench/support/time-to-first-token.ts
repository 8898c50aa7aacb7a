import { expect } from 'vitest';
import type { InProcessWorker } from '../../../worker/testing/in-process';
import { untilEvent } from './sse-events';

/** Request sent to first `delta` event parsed, in ms (performance.now, node); then waits for the reply's writes. */
export async function timeToFirstToken(host: InProcessWorker, sessionId: string, turn: number): Promise<number> {
  const started = performance.now();
  const response = await host.fetch('http://bench/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId, message: { id: `${sessionId}-turn-${turn}`, content: `Question number ${turn}?` } }),
  });
  const first = await untilEvent(response.body ?? new ReadableStream(), 'delta');
  const elapsed = performance.now() - started;
  expect(first).toBeDefined();
  await host.settled();
  return elapsed;
}
