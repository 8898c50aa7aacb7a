import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../sdk/protocol';
import { tally, type SentTurn } from './tally';

const AT = '2026-01-01T00:00:00.000Z';

function turn(sessionId: string, messageId: string, reply: ChatMessage | undefined, disconnected = false): SentTurn {
  return { sessionId, messageId, content: `content of ${messageId}`, disconnected, reply, requests: ['ok'], failures: [] };
}

function user(sessionId: string, id: string, content = `content of ${id}`): ChatMessage {
  return { id, sessionId, role: 'user', content, timestamp: AT, status: 'complete' };
}

function reply(sessionId: string, id: string, replyTo: string, content = 'a reply', status: ChatMessage['status'] = 'complete'): ChatMessage {
  return { id, sessionId, role: 'assistant', content, timestamp: AT, status, replyTo };
}

describe('the soak tally', () => {
  it('counts a clean run as nothing lost, nothing doubled', () => {
    const r = reply('s1', 'r1', 'u1');
    const figures = tally([turn('s1', 'u1', r)], new Map([['s1', [user('s1', 'u1'), r]]]));
    expect(figures).toMatchObject({ turnsSent: 1, userTurnsPersisted: 1, repliesPersisted: 1, lost: 0, duplicates: 0, strangers: 0, mismatched: 0 });
  });

  it('finds a missing user turn, a missing reply and an unfinished reply as lost', () => {
    const sent = [turn('s1', 'u1', undefined), turn('s1', 'u2', undefined), turn('s1', 'u3', undefined)];
    const history = [user('s1', 'u2'), user('s1', 'u3'), reply('s1', 'r3', 'u3', 'half', 'streaming')];
    const figures = tally(sent, new Map([['s1', history]]));
    expect(figures.lost).toBe(3);
    expect(figures.userTurnsPersisted).toBe(2);
    expect(figures.repliesPersisted).toBe(0);
  });

  it('finds a turn stored twice under two ids, two replies to one turn, and records nobody sent', () => {
    const sent = [turn('s1', 'u1', undefined)];
    const history = [user('s1', 'u1'), user('s1', 'u1-again', 'content of u1'), reply('s1', 'r1', 'u1'), reply('s1', 'r1b', 'u1'), user('s1', 'stray')];
    const figures = tally(sent, new Map([['s1', history]]));
    expect(figures.duplicates).toBe(2);
    expect(figures.strangers).toBe(2);
  });

  it('finds a stored reply that differs from what the client was given, and computes the error rate', () => {
    const given = reply('s1', 'r1', 'u1', 'what the client saw');
    const sent: SentTurn[] = [{ ...turn('s1', 'u1', given), requests: ['network_error', 'ok', 'in_progress', 'disconnected'] }];
    const figures = tally(sent, new Map([['s1', [user('s1', 'u1'), reply('s1', 'r1', 'u1', 'something else')]]]));
    expect(figures.mismatched).toBe(1);
    expect(figures.errorRate).toBe(0.25);
  });
});
