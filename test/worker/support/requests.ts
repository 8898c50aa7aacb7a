import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { ChatWorker } from '../../../worker/index';

export const ORIGIN = 'http://chatkeep.test';

export function chatRequest(body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`${ORIGIN}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export function stopRequest(body: unknown): Request {
  return new Request(`${ORIGIN}/api/chat/stop`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export function historyRequest(params: Record<string, string>, method = 'GET'): Request {
  return new Request(`${ORIGIN}/api/history?${new URLSearchParams(params)}`, { method });
}

/** Calls the worker, reads the whole body, then waits for its `waitUntil` work (the persisted reply). */
export async function call(worker: ChatWorker<Cloudflare.Env>, request: Request): Promise<{ response: Response; text: string }> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, env, ctx);
  const text = await response.text();
  await waitOnExecutionContext(ctx);
  return { response, text };
}

/** Every key under a prefix, with its value: to prove a request wrote nothing, or what it wrote. */
export async function kvDump(prefix: string, kv: KVNamespace = env.CHAT_KV): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  let cursor: string | undefined;
  for (;;) {
    const page = await kv.list({ prefix, ...(cursor ? { cursor } : {}) });
    for (const key of page.keys) out[key.name] = await kv.get(key.name);
    if (page.list_complete) break;
    cursor = page.cursor;
  }
  return out;
}

/** `GET /api/chat/stream`, with `Last-Event-ID` when `afterEventId` is given. */
export function followRequest(sessionId: string, messageId: string, afterEventId?: string): Request {
  return new Request(`${ORIGIN}/api/chat/stream?${new URLSearchParams({ sessionId, messageId })}`, {
    headers: afterEventId === undefined ? {} : { 'last-event-id': afterEventId },
  });
}
