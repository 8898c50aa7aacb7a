// ChatkeepTransport with the real `ai` package's stream reader against the real Worker: what `useChat` would show
// is what the Worker persisted, after a send, after a dropped stream, after a reconnect, and after a stop.
import { randomBytes, randomUUID } from 'node:crypto';
import { readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatkeepTransport, loadUIMessages } from '../../sdk/ai-sdk';
import type { ChatMessage } from '../../sdk/protocol';
import { startWorker, type RunningWorker } from '../support/wrangler-dev';
import { origin, serverHistory } from './support';

const newId = () => randomBytes(16).toString('base64url');
const userTurn = (text: string, id: string = randomUUID()): UIMessage => ({ id, role: 'user', parts: [{ type: 'text', text }] });
const textOf = (message: UIMessage | undefined) =>
  message?.parts.map((part) => (part.type === 'text' ? part.text : '')).join('') ?? '';

/** Reads a chunk stream to its end as `useChat` does; returns the last state of the message it built. */
async function lastMessage(stream: ReadableStream<UIMessageChunk>): Promise<UIMessage | undefined> {
  let last: UIMessage | undefined;
  for await (const message of readUIMessageStream({ stream, terminateOnError: true })) last = message;
  return last;
}

/**
 * A fetch that records each request as `METHOD /path?query` with its JSON body, its `Last-Event-ID` header, and its
 * answer's status.
 */
function recordingFetch(inner: typeof fetch = fetch) {
  const calls: { request: string; body?: unknown; lastEventId?: string; status?: number }[] = [];
  const recording = async (input: string, init?: RequestInit) => {
    const url = new URL(input);
    const call: (typeof calls)[number] = { request: `${init?.method ?? 'GET'} ${url.pathname}${url.search}` };
    if (typeof init?.body === 'string') call.body = JSON.parse(init.body);
    const lastEventId = new Headers(init?.headers).get('last-event-id');
    if (lastEventId !== null) call.lastEventId = lastEventId;
    calls.push(call);
    const response = await inner(input, init);
    call.status = response.status;
    return response;
  };
  return { fetch: recording, calls };
}

/**
 * A fetch whose responses break as a lost connection does: the first response matching each drop (in order) errors
 * after `afterChunks` chunks of its body. Records, per dropped stream, the id of the last whole event it delivered.
 */
function droppingFetch(drops: { method: string; path?: string; afterChunks: number }[]) {
  const pending = [...drops];
  const lastEventIds: (string | undefined)[] = [];
  const dropping: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const drop = pending[0];
    const path = new URL(String(input)).pathname;
    if (!drop || (init?.method ?? 'GET') !== drop.method || (drop.path && drop.path !== path) || !response.body) return response;
    pending.shift();
    const slot = lastEventIds.push(undefined) - 1;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    let chunks = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (++chunks > drop.afterChunks) {
          await reader.cancel();
          return controller.error(new TypeError('network connection lost'));
        }
        const next = await reader.read();
        if (next.done) return controller.close();
        seen += decoder.decode(next.value, { stream: true });
        const wholeEvents = seen.slice(0, seen.lastIndexOf('\n\n'));
        lastEventIds[slot] = [...wholeEvents.matchAll(/^id: ?(.*)$/gm)].at(-1)?.[1];
        controller.enqueue(next.value);
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  return { fetch: dropping, lastEventIds: () => lastEventIds };
}

/** Passes a chunk stream through, counting its `text-delta` chunks as they go by. */
function countingDeltas(stream: ReadableStream<UIMessageChunk>): { stream: ReadableStream<UIMessageChunk>; deltas: () => number } {
  let deltas = 0;
  const counted = stream.pipeThrough(
    new TransformStream<UIMessageChunk, UIMessageChunk>({
      transform(chunk, controller) {
        if (chunk.type === 'text-delta') deltas++;
        controller.enqueue(chunk);
      },
    }),
  );
  return { stream: counted, deltas: () => deltas };
}

/** Waits until the server holds a streaming reply with some text for this session; returns it. */
async function streamingReply(base: string, sessionId: string): Promise<ChatMessage> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const reply = (await serverHistory(sessionId, base)).find((m) => m.role === 'assistant');
    // History holds the reply's placeholder while it runs (its text is followed live).
    if (reply?.status === 'streaming') return reply;
    if (reply) throw new Error(`the reply ended before the test could catch it: ${reply.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no streaming reply appeared');
}

/** Waits until the server's record of the reply is final; returns it. */
async function finalReply(base: string, sessionId: string): Promise<ChatMessage> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const reply = (await serverHistory(sessionId, base)).find((m) => m.role === 'assistant');
    if (reply && reply.status !== 'streaming') return reply;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the reply never became final');
}

describe('ChatkeepTransport against the real Worker', () => {
  it('posts only the new user turn with its id, and shows the persisted reply', async () => {
    const sessionId = newId();
    const recorder = recordingFetch();
    const transport = new ChatkeepTransport({ endpoint: `${origin()}/api`, fetch: recorder.fetch });
    const earlier = [userTurn('An earlier question'), { id: newId(), role: 'assistant', parts: [{ type: 'text', text: 'An earlier answer' }] }] as UIMessage[];
    const turn = userTurn('What does chatkeep keep?');
    const stream = await transport.sendMessages({
      trigger: 'submit-message',
      chatId: sessionId,
      messageId: undefined,
      messages: [...earlier, turn],
      abortSignal: undefined,
    });
    const shown = await lastMessage(stream);

    expect(recorder.calls).toEqual([
      {
        request: 'POST /api/chat',
        body: { sessionId, message: { id: turn.id, content: 'What does chatkeep keep?' } },
        status: 200,
      },
    ]);
    const [storedUser, storedReply] = await serverHistory(sessionId);
    expect(storedUser).toMatchObject({ id: turn.id, role: 'user', content: 'What does chatkeep keep?' });
    expect(storedReply?.status).toBe('complete');
    expect(shown?.id).toBe(storedReply?.id);
    expect(textOf(shown)).toBe(storedReply?.content);
    expect(textOf(shown).split(' ').length).toBeGreaterThanOrEqual(40);
  });

  it('turns history into the initial messages useChat shows', async () => {
    const sessionId = newId();
    const transport = new ChatkeepTransport({ endpoint: `${origin()}/api` });
    const turn = userTurn('Remember this');
    await lastMessage(
      await transport.sendMessages({ trigger: 'submit-message', chatId: sessionId, messageId: undefined, messages: [turn], abortSignal: undefined }),
    );
    const stored = await serverHistory(sessionId);
    const initial = await loadUIMessages(sessionId, { endpoint: `${origin()}/api` });
    expect(initial.map((m) => [m.id, m.role, textOf(m)])).toEqual(stored.map((m) => [m.id, m.role, m.content]));
  });

  it('rejects a refused turn with the Worker code, and a conversation with no reply to resume with null', async () => {
    const transport = new ChatkeepTransport({ endpoint: `${origin()}/api` });
    const request = { trigger: 'submit-message', chatId: newId(), messageId: undefined, abortSignal: undefined } as const;
    await expect(transport.sendMessages({ ...request, messages: [userTurn('x', 'a:b:c:d:e')] })).rejects.toMatchObject({
      name: 'ChatError',
      code: 'invalid_message_id',
    });
    expect(await transport.reconnectToStream({ chatId: newId() })).toBeNull();
  });
});

describe('ChatkeepTransport mid-reply (a Worker whose demo model takes 40 ms a word)', () => {
  let slow: RunningWorker;
  beforeAll(async () => {
    slow = await startWorker({ vars: { DEMO_DELAY_MS: '40' } });
  });
  afterAll(() => slow?.stop());

  it('continues a send whose stream drops mid-reply live from the last event id, ending with the persisted text', async () => {
    const sessionId = newId();
    // The POST's body breaks as a lost connection does, after its first few chunks.
    const drops = droppingFetch([{ method: 'POST', afterChunks: 4 }]);
    const recorder = recordingFetch(drops.fetch);
    const transport = new ChatkeepTransport({
      endpoint: `${slow.origin}/api`,
      fetch: recorder.fetch,
      historyPollBackoff: { baseMs: 100, capMs: 400 },
    });
    const turn = userTurn('Tell me about the sea');
    const { stream, deltas } = countingDeltas(
      await transport.sendMessages({ trigger: 'submit-message', chatId: sessionId, messageId: undefined, messages: [turn], abortSignal: undefined }),
    );
    const shown = await lastMessage(stream);

    const stored = await finalReply(slow.origin, sessionId);
    expect(stored.status).toBe('complete');
    expect(shown?.id).toBe(stored.id);
    expect(textOf(shown)).toBe(stored.content);
    // The id of the last whole event the dropped stream delivered: the resume asks for what came after it.
    const lastEventId = drops.lastEventIds()[0];
    expect(lastEventId).toBeDefined();
    // Live, not history: one resume stream from that event carried the rest, word by word, and history was never read.
    expect(recorder.calls.map(({ request, lastEventId, status }) => ({ request, lastEventId, status }))).toEqual([
      { request: 'POST /api/chat', lastEventId: undefined, status: 200 },
      { request: `GET /api/chat/stream?sessionId=${sessionId}&messageId=${stored.id}`, lastEventId, status: 200 },
    ]);
    expect(deltas()).toBeGreaterThan(10);
  });

  it('resumes live again when the resume stream drops too, from the last event each stream delivered', async () => {
    const sessionId = newId();
    // The POST's body breaks after a few chunks, then the first resume stream's after a few more.
    const drops = droppingFetch([
      { method: 'POST', afterChunks: 4 },
      { method: 'GET', path: '/api/chat/stream', afterChunks: 3 },
    ]);
    const recorder = recordingFetch(drops.fetch);
    const transport = new ChatkeepTransport({ endpoint: `${slow.origin}/api`, fetch: recorder.fetch, historyPollBackoff: { baseMs: 100, capMs: 400 } });
    const shown = await lastMessage(
      await transport.sendMessages({
        trigger: 'submit-message',
        chatId: sessionId,
        messageId: undefined,
        messages: [userTurn('Tell me about rivers')],
        abortSignal: undefined,
      }),
    );

    const stored = await finalReply(slow.origin, sessionId);
    expect(stored.status).toBe('complete');
    expect(textOf(shown)).toBe(stored.content);
    const [afterPost, afterFirstResume] = drops.lastEventIds();
    expect(Number(afterFirstResume)).toBeGreaterThan(Number(afterPost));
    const resume = `GET /api/chat/stream?sessionId=${sessionId}&messageId=${stored.id}`;
    expect(recorder.calls.map(({ request, lastEventId, status }) => ({ request, lastEventId, status }))).toEqual([
      { request: 'POST /api/chat', lastEventId: undefined, status: 200 },
      { request: resume, lastEventId: afterPost, status: 200 },
      { request: resume, lastEventId: afterFirstResume, status: 200 },
    ]);
  });

  it('reconnects to a reply in progress (a reloaded page, a new transport) and shows the persisted text', async () => {
    const sessionId = newId();
    const turn = userTurn('Explain how tides work');
    // The first page sends and goes away mid-reply; the conversation object runs the reply to its end anyway.
    const first = new ChatkeepTransport({ endpoint: `${slow.origin}/api` });
    const abandoned = await first.sendMessages({ trigger: 'submit-message', chatId: sessionId, messageId: undefined, messages: [turn], abortSignal: undefined });
    const reader = abandoned.getReader();
    while ((await reader.read()).value?.type !== 'text-delta');
    await reader.cancel();
    const partial = await streamingReply(slow.origin, sessionId);

    const recorder = recordingFetch();
    const reloaded = new ChatkeepTransport({ endpoint: `${slow.origin}/api`, fetch: recorder.fetch, historyPollBackoff: { baseMs: 100, capMs: 400 } });
    const initial = await loadUIMessages(sessionId, { endpoint: `${slow.origin}/api` });
    expect(initial.at(-1)?.id).toBe(partial.id);
    const resumed = await reloaded.reconnectToStream({ chatId: sessionId });
    expect(resumed).not.toBeNull();
    const { stream, deltas } = countingDeltas(resumed!);
    const shown = await lastMessage(stream);

    const stored = await finalReply(slow.origin, sessionId);
    expect(stored.status).toBe('complete');
    expect(shown?.id).toBe(partial.id);
    expect(textOf(shown)).toBe(stored.content);
    // Live, not history: after the one history read that finds the reply, a resume stream from its first word
    // (no Last-Event-ID: a replay) carried it to its end, word by word, and history was not read again.
    expect(recorder.calls.map(({ request, lastEventId, status }) => ({ request, lastEventId, status }))).toEqual([
      { request: `GET /api/history?sessionId=${sessionId}`, lastEventId: undefined, status: 200 },
      { request: `GET /api/chat/stream?sessionId=${sessionId}&messageId=${partial.id}`, lastEventId: undefined, status: 200 },
    ]);
    expect(deltas()).toBeGreaterThan(10);
    // The reply is final now: nothing more to resume.
    expect(await reloaded.reconnectToStream({ chatId: sessionId })).toBeNull();
  });

  it('stops the reply on the Worker when useChat stops, keeping the text it showed', async () => {
    const sessionId = newId();
    const transport = new ChatkeepTransport({ endpoint: `${slow.origin}/api` });
    const stop = new AbortController();
    const stream = await transport.sendMessages({
      trigger: 'submit-message',
      chatId: sessionId,
      messageId: undefined,
      messages: [userTurn('Tell me a long story')],
      abortSignal: stop.signal,
    });
    const reader = stream.getReader();
    let text = '';
    while (text.split(' ').length < 5) {
      const { value } = await reader.read();
      if (value?.type === 'text-delta') text += value.delta;
    }
    stop.abort();
    await reader.read().catch(() => undefined);

    const stored = await finalReply(slow.origin, sessionId);
    expect(stored.status).toBe('aborted');
    expect(stored.content).toBe(text);
  });

  it('does not stop a reply when a newer reconnect replaces an older one (StrictMode resumes twice)', async () => {
    const sessionId = newId();
    const first = new ChatkeepTransport({ endpoint: `${slow.origin}/api` });
    const abandoned = await first.sendMessages({
      trigger: 'submit-message',
      chatId: sessionId,
      messageId: undefined,
      messages: [userTurn('Describe the moon')],
      abortSignal: undefined,
    });
    const reader = abandoned.getReader();
    while ((await reader.read()).value?.type !== 'text-delta');
    await reader.cancel();
    await streamingReply(slow.origin, sessionId);

    const transport = new ChatkeepTransport({ endpoint: `${slow.origin}/api`, historyPollBackoff: { baseMs: 100, capMs: 400 } });
    const older = new AbortController();
    const olderStream = await transport.reconnectToStream({ chatId: sessionId, abortSignal: older.signal });
    const olderReader = olderStream!.getReader();
    while ((await olderReader.read()).value?.type !== 'text-delta');
    // As useChat does: abort the older resume, and start the newer one in the same task.
    older.abort();
    const newer = transport.reconnectToStream({ chatId: sessionId });
    const shown = await lastMessage((await newer)!);

    const stored = await finalReply(slow.origin, sessionId);
    expect(stored.status).toBe('complete');
    expect(textOf(shown)).toBe(stored.content);
  });
});
