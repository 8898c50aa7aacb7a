/**
 * The soak: many conversations at once against a real `wrangler dev` (loopback, its own KV), some clients hanging up
 * mid-reply. Afterwards every history is read and compared with what was sent: nothing may be lost or doubled.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ChatMessage } from '../../sdk/protocol';
import { startWorker, type RunningWorker } from '../support/wrangler-dev';
import { sendTurn } from './protocol-client';
import { serverHistory } from '../support/server-history';
import { tally, type SentTurn } from './tally';
import { setting } from './setting';
import { pool } from './pool';

const CONVERSATIONS = setting('SOAK_CONVERSATIONS', 200);
const TURNS = setting('SOAK_TURNS', 5);
const CONCURRENCY = setting('SOAK_CONCURRENCY', 20);
const DISCONNECT_RATE = setting('SOAK_DISCONNECT_RATE', 0.1);

let worker: RunningWorker;

beforeAll(async () => {
  worker = await startWorker({ vars: { DEMO_DELAY_MS: '5' } });
});

afterAll(async () => {
  await worker?.stop();
});

/** A run id keeps sessions of two runs apart, should they share a KV folder. */
const RUN = Date.now().toString(36);

async function conversation(index: number): Promise<SentTurn[]> {
  const sessionId = `soak-${RUN}-${index.toString().padStart(4, '0')}-${crypto.randomUUID()}`;
  // Every tenth client (at the default rate) hangs up mid-reply, on a different turn from one such client to the next.
  const period = DISCONNECT_RATE > 0 ? Math.round(1 / DISCONNECT_RATE) : 0;
  const disconnectsOn = period > 0 && index % period === 0 ? (index / period) % TURNS : -1;
  const turns: SentTurn[] = [];
  for (let t = 0; t < TURNS; t++) {
    const messageId = `${crypto.randomUUID()}-t${t}`;
    const content = `Conversation ${index}, turn ${t}: ${crypto.randomUUID()}`;
    const disconnected = t === disconnectsOn;
    const result = await sendTurn({ origin: worker.origin, sessionId, messageId, content, disconnect: disconnected });
    turns.push({ sessionId, messageId, content, disconnected, ...result });
  }
  return turns;
}

it(`${CONVERSATIONS} conversations x ${TURNS} turns, ${CONCURRENCY} at a time, ${DISCONNECT_RATE * 100}% hanging up mid-reply: nothing lost, nothing doubled`, async () => {
  const started = Date.now();
  const sent = (await pool(CONVERSATIONS, CONCURRENCY, conversation)).flat();
  const sendMs = Date.now() - started;

  const sessions = [...new Set(sent.map((t) => t.sessionId))];
  const histories = new Map<string, ChatMessage[]>(
    await pool(sessions.length, CONCURRENCY, async (i) => [sessions[i]!, await serverHistory(worker.origin, sessions[i]!)] as const),
  );
  const figures = tally(sent, histories);

  console.log(
    [
      `soak against ${worker.origin} (wrangler dev, DEMO_DELAY_MS=5), sends took ${(sendMs / 1000).toFixed(1)} s`,
      `  conversations        ${figures.conversations}`,
      `  turns sent           ${figures.turnsSent}  (${figures.disconnects} with the client hanging up mid-reply)`,
      `  user turns persisted ${figures.userTurnsPersisted}`,
      `  replies persisted    ${figures.repliesPersisted}  (complete)`,
      `  lost                 ${figures.lost}`,
      `  duplicates           ${figures.duplicates}`,
      `  unknown records      ${figures.strangers}`,
      `  reply text mismatch  ${figures.mismatched}`,
      `  requests             ${figures.requests}, failed ${figures.failedRequests}, error rate ${(figures.errorRate * 100).toFixed(2)}%`,
      ...figures.sampleFailures.map((f) => `  failure: ${f}`),
    ].join('\n'),
  );

  expect(figures.turnsSent).toBe(CONVERSATIONS * TURNS);
  expect({ lost: figures.lost, duplicates: figures.duplicates, strangers: figures.strangers, mismatched: figures.mismatched }).toEqual({
    lost: 0,
    duplicates: 0,
    strangers: 0,
    mismatched: 0,
  });
  expect(figures.userTurnsPersisted).toBe(figures.turnsSent);
  expect(figures.repliesPersisted).toBe(figures.turnsSent);
});
