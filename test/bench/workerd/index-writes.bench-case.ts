// Row 13: KV writes per exchange with the owner's index, against the same exchanges with no owner (no index).
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { plural, report } from '../figures';
import { chatHost } from '../support/chat-host';
import { countingKv, type CountingKv } from '../support/counting-kv';
import { pacedModel } from '../support/models';
import { readEvents } from '../support/sse-events';

const OWNER = 'bench-index-owner-0000000000';

/** Three exchanges of one conversation: a first turn, a later turn, and the later turn sent again (replayed). */
async function threeExchanges(label: string, owner: string | undefined): Promise<number[]> {
  const counted: CountingKv = countingKv(env.CHAT_KV);
  const host = chatHost({ kv: counted.kv, model: pacedModel({ pieces: 40 }) });
  const sessionId = `bench-index-${label}`;
  const puts: number[] = [];
  for (const turn of ['u1', 'u2', 'u2']) {
    const before = counted.counts.put;
    const response = await host.fetch('http://bench/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(owner === undefined ? {} : { 'x-chatkeep-owner': owner }) },
      body: JSON.stringify({ sessionId, message: { id: `${sessionId}-${turn}`, content: `Turn ${turn}` } }),
    });
    expect(response.status).toBe(200);
    const events = await readEvents(response.body ?? new ReadableStream());
    expect(events.at(-1)?.event).toBe('done');
    // The index entry is written by the conversation's object after the reply, under its waitUntil.
    await host.settled();
    puts.push(counted.counts.put - before);
  }
  return puts;
}

it('KV writes per exchange with the owner’s index', async () => {
  const owned = await threeExchanges('owned', OWNER);
  const plain = await threeExchanges('plain', undefined);
  const cases = [
    { name: 'first exchange (the entry is made)', goal: 1 },
    { name: 'a later exchange (the entry moves)', goal: 1 },
    { name: 'the same turn sent again (replayed: unchanged)', goal: 0 },
  ];
  for (const [i, { name, goal }] of cases.entries()) {
    const extra = owned[i]! - plain[i]!;
    report({
      row: 13,
      order: 20 + i,
      measure: `KV writes per exchange with the owner's index: ${name}`,
      chatkeep: plural(owned[i]!, 'write'),
      baseline: plural(plain[i]!, 'write'),
      baselineName: 'the same exchange with no owner (no index)',
      ratio: `${extra >= 0 ? '+' : ''}${extra} write${Math.abs(extra) === 1 ? '' : 's'}`,
      goal: `<= +${goal}`,
      met: extra <= goal,
      method:
        'workerd + real local KV behind a counting KVNamespace; the Worker and its conversation objects in-process; one POST /api/chat read to `done` and every waitUntil (the index write) awaited; puts counted',
    });
  }
});
