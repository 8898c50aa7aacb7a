// ChatkeepTransport against the real Worker for a reply with parts (the demo model's `think:` and `what time` cues):
// what the AI SDK's own stream reader builds is the record the Worker persisted, part for part.
import { randomBytes, randomUUID } from 'node:crypto';
import { readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import { describe, expect, it } from 'vitest';
import { ChatkeepTransport, loadUIMessages, toUIMessages } from '../../sdk/ai-sdk';
import { origin, serverHistory } from './support';

const newId = () => randomBytes(16).toString('base64url');

/** Reads a chunk stream to its end as `useChat` does; returns the last state of the message it built. */
async function lastMessage(stream: ReadableStream<UIMessageChunk>): Promise<UIMessage | undefined> {
  let last: UIMessage | undefined;
  for await (const message of readUIMessageStream({ stream, terminateOnError: true })) last = message;
  return last;
}

/**
 * A fetch whose first POST answer breaks, as a lost connection does, right after the chunk that carried the
 * `tool-call` event: the page lost its stream while the tool runs. Records each request as `METHOD /path`.
 */
function droppingAtToolCall() {
  const requests: string[] = [];
  let dropped = false;
  const dropping: typeof fetch = async (input, init) => {
    const method = init?.method ?? 'GET';
    requests.push(`${method} ${new URL(String(input)).pathname}`);
    const response = await fetch(input, init);
    if (dropped || method !== 'POST' || !response.body) return response;
    dropped = true;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    let cut = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (cut) {
          await reader.cancel();
          return controller.error(new TypeError('network connection lost'));
        }
        const next = await reader.read();
        if (next.done) return controller.close();
        seen += decoder.decode(next.value, { stream: true });
        cut = seen.includes('event: tool-call');
        controller.enqueue(next.value);
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  return { fetch: dropping, requests };
}

describe('ChatkeepTransport against the real Worker, a reply with reasoning and a tool call', () => {
  it('readUIMessageStream yields the parts the record holds: reasoning, tool-get_time with its output, text', async () => {
    const sessionId = newId();
    const transport = new ChatkeepTransport({ endpoint: `${origin()}/api` });
    const turn: UIMessage = { id: randomUUID(), role: 'user', parts: [{ type: 'text', text: 'think: what time is it?' }] };
    const shown = await lastMessage(
      await transport.sendMessages({ trigger: 'submit-message', chatId: sessionId, messageId: undefined, messages: [turn], abortSignal: undefined }),
    );
    const [, reply] = await serverHistory(sessionId);
    expect(reply?.status).toBe('complete');
    expect(reply?.parts?.map((part) => (part.type === 'tool' ? `${part.name}:${part.state}` : part.type))).toEqual(['reasoning', 'get_time:done', 'text']);
    const [expected] = toUIMessages(reply ? [reply] : []);
    // The AI SDK keeps the id of a live reasoning part (its `reasoning-start` chunk's); a record's part has none.
    expect(shown).toMatchObject(expected ?? {});
    // The history a reloaded page starts useChat with holds the same parts.
    expect((await loadUIMessages(sessionId, { endpoint: `${origin()}/api` })).at(-1)).toEqual(expected);
  });

  it('a stream lost while the tool runs resumes live: one tool part, and the same parts as the record', async () => {
    const sessionId = newId();
    const network = droppingAtToolCall();
    const transport = new ChatkeepTransport({ endpoint: `${origin()}/api`, fetch: network.fetch });
    const turn: UIMessage = { id: randomUUID(), role: 'user', parts: [{ type: 'text', text: 'think: what time is it?' }] };
    const shown = await lastMessage(
      await transport.sendMessages({ trigger: 'submit-message', chatId: sessionId, messageId: undefined, messages: [turn], abortSignal: undefined }),
    );
    expect(network.requests).toEqual(['POST /api/chat', 'GET /api/chat/stream']);
    const [, reply] = await serverHistory(sessionId);
    const [expected] = toUIMessages(reply ? [reply] : []);
    expect(shown?.parts.filter((part) => part.type === 'tool-get_time')).toHaveLength(1);
    expect(shown).toMatchObject(expected ?? {});
  });
});
