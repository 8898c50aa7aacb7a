/**
 * The patterns chatkeep is compared with, as Workers with the same request and event shapes (so one bench client
 * reads both):
 * - `none`: no persistence at all. It still parses and validates the JSON body, calls the same model with the same
 *   single user turn, frames every piece as an SSE `delta` and ends with `done`; it makes no KV call.
 * - `read-context`: like `none`, but first lists the conversation's keys (one KV call), as a Worker must to give
 *   the model the conversation so far; writes nothing.
 * - `write-then-stream`: the seed pattern. It awaits the user turn's `put`, only then calls the model, streams, and
 *   `put`s the assistant turn when the stream ends (under `waitUntil`): two writes per exchange.
 */
import type { ModelProvider } from '../../../worker/providers/model-provider';
import type { FetchHandler } from '../../../worker/testing/in-process';

export type BaselinePersistence = 'none' | 'read-context' | 'write-then-stream';

export interface BaselineWorkerOptions {
  persistence: BaselinePersistence;
  model: ModelProvider;
  /** Required for `read-context` and `write-then-stream`. */
  kv?: KVNamespace;
}

interface TurnBody {
  sessionId: string;
  message: { id: string; content: string };
}

const encoder = new TextEncoder();

function isTurnBody(value: unknown): value is TurnBody {
  const body = value as Partial<TurnBody> | null;
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof body.sessionId === 'string' &&
    typeof body.message?.id === 'string' &&
    typeof body.message.content === 'string'
  );
}

/**
 * @example
 * ```ts
 * const seed = baselineWorker({ persistence: 'write-then-stream', kv, model });
 * ```
 */
export function baselineWorker(options: BaselineWorkerOptions): FetchHandler<unknown> {
  return {
    async fetch(request: Request, _env: unknown, ctx: ExecutionContext): Promise<Response> {
      const body: unknown = await request.json();
      if (!isTurnBody(body)) return Response.json({ error: { code: 'invalid_request', message: 'bad body' } }, { status: 400 });
      const { sessionId, message } = body;
      const kv = options.kv;
      if (options.persistence === 'read-context') {
        if (kv === undefined) throw new Error('read-context needs a KV namespace');
        await kv.list({ prefix: `message:${sessionId}:` });
      }
      if (options.persistence === 'write-then-stream') {
        if (kv === undefined) throw new Error('write-then-stream needs a KV namespace');
        const user = { id: message.id, sessionId, role: 'user', content: message.content, timestamp: new Date().toISOString() };
        await kv.put(`message:${sessionId}:${message.id}`, JSON.stringify(user));
      }
      const replyId = `${message.id}-reply`;
      const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
      const writer = writable.getWriter();
      let id = 1;
      const send = (event: string, data: unknown) =>
        writer.write(encoder.encode(`id: ${id++}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`)).catch(() => undefined);
      const run = (async () => {
        let text = '';
        const iterable = options.model.stream({
          messages: [{ role: 'user', content: message.content }],
          signal: new AbortController().signal,
        });
        for await (const piece of iterable) {
          text += piece;
          void send('delta', { id: replyId, text: piece });
        }
        const reply = { id: replyId, sessionId, role: 'assistant', content: text, timestamp: new Date().toISOString() };
        if (options.persistence === 'write-then-stream' && kv !== undefined) {
          await kv.put(`message:${sessionId}:${replyId}`, JSON.stringify(reply));
        }
        void send('done', { message: reply });
        await writer.close().catch(() => undefined);
      })();
      ctx.waitUntil(run);
      return new Response(readable, { headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
    },
  };
}
