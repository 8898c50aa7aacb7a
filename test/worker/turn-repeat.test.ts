import { describe, expect, it } from 'vitest';
import { chatWorker } from './support/chat-worker';
import { uniqueId } from './support/ids';
import { call, chatRequest } from './support/requests';
import { scriptedModel } from './support/scripted-model';

describe('POST /chat gives a turn back in every path', () => {
  it('after a request that failed before writing: the same turn sent again is answered, not refused as in progress', async () => {
    let builds = 0;
    const worker = chatWorker({
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
    const worker = chatWorker({ model });
    const body = { sessionId: uniqueId('s'), message: { id: uniqueId('m'), content: 'Hi' } };
    await call(worker, chatRequest(body));
    const again = await call(worker, chatRequest(body));
    expect(again.response.status).toBe(200);
    expect(again.text).toContain('event: done');
    expect(model.calls).toHaveLength(1);
  });
});
