/**
 * vitest globalSetup (runs in node): an OpenAI-compatible chat-completions server on 127.0.0.1 that streams real
 * chunk shapes, so the openai provider is tested over HTTP as it runs in production. The requested `model` picks
 * the behaviour:
 *   `complete`  three content chunks, a finish_reason chunk, `data: [DONE]`
 *   `cut`       two content chunks, then the connection is destroyed mid-stream
 *   `fail`      HTTP 500 with a JSON error
 *   `echo-auth` one chunk holding the Authorization header it received, then `[DONE]`
 *   `silent`    headers, one chunk, then nothing (until the client goes away)
 *   `reasoning` `reasoning_content` deltas (DeepSeek, vLLM), then content, then a chunk with both fields
 *   `reasoning-field` `reasoning` deltas (OpenRouter, Ollama), then content
 *   `echo-messages` one chunk holding the `messages` it received, as JSON
 *   `recorded-tool-loop` a reasoning model's tool loop from fixed chunk files (see support/recorded-tool-loop.ts)
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';
import { answerRecordedToolLoop, type RecordedRequest } from './recorded-tool-loop';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Root of this server's API, e.g. `http://127.0.0.1:41234/v1`. */
    openaiBaseUrl: string;
  }
}

export const COMPLETE_PIECES = ['Hello', ' from', ' the fake model'];

function chunk(content: string | null, finish: string | null = null): string {
  return deltaChunk(content === null ? {} : { content }, finish);
}

function deltaChunk(delta: Record<string, unknown>, finish: string | null = null): string {
  const body = { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'fake', choices: [{ index: 0, delta, finish_reason: finish }] };
  return `data: ${JSON.stringify(body)}\n\n`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const part of req) text += String(part);
  return text;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
    res.writeHead(404).end();
    return;
  }
  const body = JSON.parse(await readBody(req)) as { model: string; stream: boolean; messages: unknown[] } & RecordedRequest;
  if (body.model === 'recorded-tool-loop') {
    answerRecordedToolLoop(body, res);
    return;
  }
  if (body.model === 'fail') {
    res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"boom"}}');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  if (body.model === 'complete') {
    // Split one chunk across two writes, mid-line, as real proxies do.
    const first = chunk(COMPLETE_PIECES[0] ?? '');
    res.write(first.slice(0, 20));
    res.write(first.slice(20));
    for (const piece of COMPLETE_PIECES.slice(1)) res.write(chunk(piece));
    res.write(chunk(null, 'stop'));
    res.end('data: [DONE]\n\n');
  } else if (body.model === 'cut') {
    res.write(chunk('Partial'));
    res.write(chunk(' answer'));
    setTimeout(() => res.socket?.destroy(), 20);
  } else if (body.model === 'echo-auth') {
    res.write(chunk(`${req.headers.authorization ?? 'none'} ${body.stream} ${body.messages.length}`));
    res.end('data: [DONE]\n\n');
  } else if (body.model === 'reasoning') {
    res.write(deltaChunk({ role: 'assistant', content: null, reasoning_content: 'The user' }));
    res.write(deltaChunk({ content: null, reasoning_content: ' greets me.' }));
    res.write(deltaChunk({ content: 'Hello', reasoning_content: null }));
    res.write(deltaChunk({ content: ' there', reasoning_content: '!', reasoning: '!' }));
    res.write(chunk(null, 'stop'));
    res.end('data: [DONE]\n\n');
  } else if (body.model === 'reasoning-field') {
    res.write(deltaChunk({ role: 'assistant', content: '', reasoning: 'Short' }));
    res.write(deltaChunk({ content: '', reasoning: ' thought.' }));
    res.write(chunk('Answer.', 'stop'));
    res.end('data: [DONE]\n\n');
  } else if (body.model === 'echo-messages') {
    res.write(chunk(JSON.stringify(body.messages)));
    res.end('data: [DONE]\n\n');
  } else if (body.model === 'silent') {
    res.write(chunk('Before silence'));
  } else {
    res.end();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  project.provide('openaiBaseUrl', `http://127.0.0.1:${port}/v1`);
  return () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}
