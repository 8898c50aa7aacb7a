// The rules of the demo's watched fetch: which answers are shown as a server problem and when they clear, and how
// often requests go out while the browser says it is offline.
import { describe, expect, it } from 'vitest';
import { watchServer, type ServerProblem } from '../../demo/src/server-watch';

const OUTAGE = { error: { code: 'storage_unavailable', message: 'Could not save the message' } };

function answers(...responses: Array<() => Response>) {
  const calls: string[] = [];
  const fetch = (input: string, init?: RequestInit) => {
    calls.push(`${init?.method ?? 'GET'} ${input}`);
    const next = responses.shift();
    return next ? Promise.resolve(next()) : Promise.reject(new TypeError('Failed to fetch'));
  };
  return { fetch, calls };
}

const json = (status: number, body: unknown) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('watchServer', () => {
  it('reports a 503 with its reason, keeps it through other requests, clears it when that request works', async () => {
    const seen: Array<ServerProblem | undefined> = [];
    const { fetch } = answers(json(503, OUTAGE), json(200, { messages: [] }), json(200, {}));
    const watched = watchServer({ fetch, isOnline: () => true, onChange: (problem) => seen.push(problem) });

    const refused = await watched('/api/chat', { method: 'POST' });
    // The client reads the body itself: it is still there.
    expect(await refused.json()).toEqual(OUTAGE);
    expect(seen).toEqual([{ status: 503, code: 'storage_unavailable', message: 'Could not save the message' }]);

    await watched('/api/history?sessionId=abcdefgh');
    expect(seen).toHaveLength(1);

    await watched('/api/chat', { method: 'POST' });
    expect(seen).toEqual([seen[0], undefined]);
  });

  it('names a failure whose body is not the Worker by its status', async () => {
    const seen: Array<ServerProblem | undefined> = [];
    const badGateway = () => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' });
    const { fetch } = answers(badGateway);
    await watchServer({ fetch, isOnline: () => true, onChange: (problem) => seen.push(problem) })('/api/chat');
    expect(seen).toEqual([{ status: 502, code: 'http_502', message: 'Bad Gateway' }]);
  });

  it('leaves refusals (4xx) to the client: they are not a server problem', async () => {
    const seen: Array<ServerProblem | undefined> = [];
    const { fetch } = answers(json(400, { error: { code: 'content_too_long', message: 'too long' } }));
    await watchServer({ fetch, isOnline: () => true, onChange: (problem) => seen.push(problem) })('/api/chat');
    expect(seen).toEqual([]);
  });

  it('while offline, lets one request out per interval and fails the rest at once', async () => {
    let clock = 0;
    const { fetch, calls } = answers();
    const watched = watchServer({
      fetch,
      isOnline: () => false,
      onChange: () => {},
      offlineProbeIntervalMs: 15_000,
      now: () => clock,
    });
    for (const at of [0, 100, 5_000, 14_999, 15_000, 20_000]) {
      clock = at;
      await expect(watched('/api/chat', { method: 'POST' })).rejects.toBeInstanceOf(TypeError);
    }
    expect(calls).toEqual(['POST /api/chat', 'POST /api/chat']);
  });

  it('while offline, keeps talking to a server that answers anyway (one on this machine)', async () => {
    let clock = 0;
    const { fetch, calls } = answers(json(200, {}), json(200, {}), json(200, {}));
    const watched = watchServer({ fetch, isOnline: () => false, onChange: () => {}, now: () => clock });
    for (const at of [0, 10, 20]) {
      clock = at;
      expect((await watched('/api/history?sessionId=abcdefgh')).status).toBe(200);
    }
    // It stops answering: back to one probe per interval.
    clock = 30;
    await expect(watched('/api/history?sessionId=abcdefgh')).rejects.toBeInstanceOf(TypeError);
    clock = 40;
    await expect(watched('/api/history?sessionId=abcdefgh')).rejects.toBeInstanceOf(TypeError);
    expect(calls).toHaveLength(4);
  });
});
