import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../sdk/protocol';
import { faultTally, type FaultTurn } from './fault-tally';

const AT = '2026-01-01T00:00:00.000Z';

const user = (id: string): ChatMessage => ({ id, sessionId: 's1', role: 'user', content: `content of ${id}`, timestamp: AT, status: 'complete' });

function reply(replyTo: string, content = 'a reply', status: ChatMessage['status'] = 'complete'): ChatMessage {
  return { id: `${replyTo}-r`, sessionId: 's1', role: 'assistant', content, timestamp: AT, status, replyTo, updatedAt: AT };
}

function turn(messageId: string, changes: Partial<FaultTurn> = {}): FaultTurn {
  const done = reply(messageId);
  return {
    sessionId: 's1',
    messageId,
    content: `content of ${messageId}`,
    disconnected: false,
    abort: undefined,
    reply: done,
    requests: ['ok'],
    failures: [],
    dones: [done],
    acknowledged: true,
    finalMs: 1_000,
    ...changes,
  };
}

describe('the fault soak tally', () => {
  it('counts a clean run as nothing lost, every done in history, nothing late', () => {
    const figures = faultTally([turn('u1')], new Map([['s1', [user('u1'), reply('u1')]]]), 60_000);
    expect(figures).toEqual({
      acknowledgedLost: 0,
      donesMissing: 0,
      notFinal: 0,
      late: 0,
      slowestFinalMs: 1_000,
      retriedAfterInterrupt: 0,
      endedShownInterrupted: 0,
    });
  });

  it('finds an acknowledged turn history lost, a done history holds otherwise, a reply left streaming, a late or unknown final, and an ended reply shown interrupted', () => {
    const sent = [
      turn('u1'),
      turn('u2', { finalMs: 61_000 }),
      turn('u3', { finalMs: undefined, acknowledged: false }),
      turn('u4', { requests: ['interrupted', 'ok'], abort: 'mid-reply' }),
      turn('u5', { requests: ['interrupted', 'ok'], abort: 'at-end' }),
    ];
    const history = [user('u2'), reply('u2', 'other text'), reply('u3', '', 'streaming'), user('u4'), reply('u4'), user('u5'), reply('u5')];
    const figures = faultTally(sent, new Map([['s1', history]]), 60_000);
    expect(figures).toEqual({
      acknowledgedLost: 1,
      donesMissing: 3,
      notFinal: 2,
      late: 2,
      slowestFinalMs: Number.POSITIVE_INFINITY,
      retriedAfterInterrupt: 2,
      endedShownInterrupted: 1,
    });
  });
});
