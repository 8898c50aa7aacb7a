import { describe, expect, it } from 'vitest';
import { claimTurn } from '../../worker/conversation/active-replies';
import { createChatWorker } from '../../worker/index';
import { uniqueId } from './support/ids';
import { call, chatRequest } from './support/requests';
import { scriptedModel } from './support/scripted-model';

const timing = { nowMs: 1_000, expireAfterMs: 60_000 };

describe('claimTurn', () => {
  it('refuses a second claim of the same turn while the first is held, and grants other turns', () => {
    const sessionId = uniqueId('s');
    const first = claimTurn(sessionId, 'turn-0001', timing);
    expect(first).toBeDefined();
    expect(claimTurn(sessionId, 'turn-0001', timing)).toBeUndefined();
    expect(claimTurn(sessionId, 'turn-0002', timing)).toBeDefined();
    expect(claimTurn(uniqueId('s'), 'turn-0001', timing)).toBeDefined();
    first?.end();
    expect(claimTurn(sessionId, 'turn-0001', timing)).toBeDefined();
  });

  it('with work handed to holdUntil, gives the turn back only once that work settles, also when it fails', async () => {
    for (const outcome of ['resolve', 'reject'] as const) {
      const sessionId = uniqueId('s');
      const claim = claimTurn(sessionId, 'turn-0001', timing);
      let settle: () => void = () => undefined;
      const work = new Promise<void>((resolve, reject) => {
        settle = outcome === 'resolve' ? resolve : () => reject(new Error('run failed'));
      });
      work.catch(() => undefined);
      claim?.holdUntil(work);
      claim?.end();
      expect(claimTurn(sessionId, 'turn-0001', timing)).toBeUndefined();
      settle();
      await work.catch(() => undefined);
      await Promise.resolve();
      expect(claimTurn(sessionId, 'turn-0001', timing)).toBeDefined();
    }
  });

  it('lets an expired claim be taken over, and the old holder ending it leaves the new claim in place', () => {
    const sessionId = uniqueId('s');
    const old = claimTurn(sessionId, 'turn-0001', timing);
    const later = { nowMs: timing.nowMs + timing.expireAfterMs, expireAfterMs: timing.expireAfterMs };
    expect(claimTurn(sessionId, 'turn-0001', { ...later, nowMs: later.nowMs - 1 })).toBeUndefined();
    const taken = claimTurn(sessionId, 'turn-0001', later);
    expect(taken).toBeDefined();
    old?.end();
    expect(claimTurn(sessionId, 'turn-0001', later)).toBeUndefined();
    taken?.end();
    expect(claimTurn(sessionId, 'turn-0001', later)).toBeDefined();
  });
});

describe('POST /chat gives a turn back in every path', () => {
  it('after a request that failed before writing: the same turn sent again is answered, not refused as in progress', async () => {
    let builds = 0;
    const worker = createChatWorker({
      model: () => {
        builds++;
        if (builds === 1) throw new Error('MODEL_PROVIDER names nothing');
        return scriptedModel(['Second ', 'try.']);
      },
      log: () => undefined,
    });
    const body = { sessionId: uniqueId('s'), message: { id: uniqueId('m'), content: 'Hi' } };
    expect((await call(worker, chatRequest(body))).response.status).toBe(500);
    const again = await call(worker, chatRequest(body));
    expect(again.response.status).toBe(200);
    expect(again.text).toContain('Second try.');
  });

  it('after a reply ran to its end: the same turn sent again replays it', async () => {
    const model = scriptedModel(['Only ', 'once.']);
    const worker = createChatWorker({ model });
    const body = { sessionId: uniqueId('s'), message: { id: uniqueId('m'), content: 'Hi' } };
    await call(worker, chatRequest(body));
    const again = await call(worker, chatRequest(body));
    expect(again.response.status).toBe(200);
    expect(again.text).toContain('event: done');
    expect(model.calls).toHaveLength(1);
  });
});
