import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { type ChatWorker } from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { uniqueId } from './support/ids';
import { spyKv } from './support/kv-spy';
import { call, ORIGIN } from './support/requests';
import { scriptedModel } from './support/scripted-model';

const APP = 'https://app.example';

/** One request of each route, from `origin`. */
function everyRoute(origin: string | undefined): Request[] {
  const headers: Record<string, string> = origin === undefined ? {} : { origin };
  const sessionId = uniqueId('s');
  const json = { ...headers, 'content-type': 'application/json' };
  return [
    new Request(`${ORIGIN}/api/chat`, { method: 'POST', headers: json, body: JSON.stringify({ sessionId, message: { id: uniqueId('m'), content: 'Hi' } }) }),
    new Request(`${ORIGIN}/api/chat/stop`, { method: 'POST', headers: json, body: JSON.stringify({ sessionId, messageId: uniqueId('m'), content: '' }) }),
    new Request(`${ORIGIN}/api/history?sessionId=${sessionId}`, { headers }),
    new Request(`${ORIGIN}/api/history?sessionId=${sessionId}`, { method: 'DELETE', headers }),
    new Request(`${ORIGIN}/api/chat`, { method: 'OPTIONS', headers: { ...headers, 'access-control-request-method': 'POST' } }),
  ];
}

function guarded(corsOrigins?: readonly string[] | '*') {
  const spy = spyKv(env.CHAT_KV);
  const worker = chatWorker({ kv: spy.kv, model: scriptedModel(['ok']), ...(corsOrigins === undefined ? {} : { corsOrigins }) });
  return { worker, spy };
}

async function expectOriginRefused(worker: ChatWorker<Cloudflare.Env>, request: Request): Promise<void> {
  const { response, text } = await call(worker, request);
  expect(response.status, `${request.method} ${request.url}`).toBe(403);
  expect(JSON.parse(text)).toEqual({ error: { code: 'origin_not_allowed', message: expect.any(String) } });
  expect(response.headers.get('access-control-allow-origin')).toBeNull();
}

describe('CORS is closed by default', () => {
  it('the deployable Worker refuses every route, preflights included, to a foreign origin', async () => {
    for (const request of everyRoute('https://attacker.example')) {
      const response = await exports.default.fetch(request);
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('origin_not_allowed');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('a refused origin costs no KV operation at all', async () => {
    const { worker, spy } = guarded();
    for (const origin of ['https://attacker.example', 'null', `${ORIGIN}.evil.example`, 'http://chatkeep.test:8080']) {
      for (const request of everyRoute(origin)) await expectOriginRefused(worker, request);
    }
    expect(spy.counts).toEqual({ get: 0, put: 0, list: 0, delete: 0 });
  });

  it('same-origin and origin-less requests (servers, curl) are served without CORS headers', async () => {
    const { worker } = guarded();
    for (const origin of [ORIGIN, undefined]) {
      const [, , history] = everyRoute(origin);
      const { response } = await call(worker, history!);
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
});

describe('allowed origins by option', () => {
  it('a listed origin gets its own origin back, Vary: Origin, and a preflight allowing Authorization', async () => {
    const { worker } = guarded([APP]);
    const [chat, , history, , preflight] = everyRoute(APP);
    const sent = await call(worker, chat!);
    expect(sent.response.status).toBe(200);
    expect(sent.response.headers.get('access-control-allow-origin')).toBe(APP);
    expect(sent.response.headers.get('vary')).toMatch(/origin/i);
    expect((await call(worker, history!)).response.headers.get('access-control-allow-origin')).toBe(APP);
    const pre = await call(worker, preflight!);
    expect(pre.response.status).toBe(204);
    expect(pre.response.headers.get('access-control-allow-origin')).toBe(APP);
    expect(pre.response.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(pre.response.headers.get('access-control-allow-headers')).toMatch(/content-type/);
    // A resume of a reply from another origin sends its last event id.
    expect(pre.response.headers.get('access-control-allow-headers')).toMatch(/last-event-id/);
    expect(pre.response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('only exact matches: look-alike origins, other schemes, ports and subdomains are refused', async () => {
    const { worker, spy } = guarded([APP]);
    for (const origin of ['https://app.example.evil.example', 'http://app.example', 'https://app.example:8443', 'https://evil.app.example', 'https://app.exampl', 'null']) {
      for (const request of everyRoute(origin)) await expectOriginRefused(worker, request);
    }
    expect(spy.counts).toEqual({ get: 0, put: 0, list: 0, delete: 0 });
  });

  it("'*' opens the API to any origin, answering '*' (never echoing, never with credentials)", async () => {
    const { worker } = guarded('*');
    const [, , history] = everyRoute('https://anyone.example');
    const { response } = await call(worker, history!);
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });
});
