// What `chatkeep/testing`'s test Worker promises an app's tests, checked through the built package: the real
// Worker's answers, the scripted model, the network switch, and what the server holds.
import { ChatClient, type ChatMessage } from 'chatkeep';
import { createTestWorker, freshIndexedDB, memoryKv, type TestWorker } from 'chatkeep/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';

const open: ChatClient[] = [];
afterEach(() => open.splice(0).forEach((chat) => chat.close()));
const client = (server: TestWorker, options: ConstructorParameters<typeof ChatClient>[0] = {}) => {
  const chat = new ChatClient({ fetch: server.fetch, indexedDB: freshIndexedDB(), onlineEvents: server.onlineEvents, ...options });
  open.push(chat);
  return chat;
};
const contents = (messages: readonly ChatMessage[]) => messages.map((message) => message.content);

describe('the test Worker', () => {
  it('answers a bare path as the default endpoint sends it, and logs each request that reached it', async () => {
    const server = createTestWorker();
    const response = await server.fetch('/api/history?sessionId=abcdefgh');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ sessionId: 'abcdefgh', messages: [] });
    const refused = await server.fetch('/api/history?sessionId=a:b');
    expect(refused.status).toBe(400);
    expect(server.requests).toEqual(['GET /api/history', 'GET /api/history']);
  });

  it('streams the reply in the pieces given, or as a function of the prompt decides', async () => {
    const server = createTestWorker({ reply: ['one', ' two', ' three'] });
    const chat = client(server);
    expect((await chat.send('count')).content).toBe('one two three');
    server.model.reply(async (prompt, messages) => `${prompt.length} chars, ${messages.length} turns seen`);
    expect((await chat.send('again')).content).toBe('5 chars, 3 turns seen');
    expect(server.model.calls.map((call) => call.prompt)).toEqual(['count', 'again']);
  });

  it('fails a reply with the code asked for, keeping the pieces before it', async () => {
    const server = createTestWorker({ reply: 'a b c d' });
    server.model.failNext({ code: 'model_timeout', message: 'silent', afterPieces: 2 });
    const chat = client(server);
    expect(await chat.send('go')).toMatchObject({ status: 'error', content: 'a b', error: { code: 'model_timeout', message: 'silent' } });
    expect(await chat.send('go again')).toMatchObject({ status: 'complete', content: 'a b c d' });
  });

  it('hangs a reply until the user stops it, which the server then holds as aborted', async () => {
    const server = createTestWorker({ reply: 'first words then nothing' });
    const resume = server.model.hangNext({ afterPieces: 2 });
    const chat = client(server);
    const sent = chat.send('wait');
    await vi.waitFor(() => expect(chat.messages.at(-1)).toMatchObject({ status: 'streaming', content: 'first words' }));
    await chat.stop();
    expect(await sent).toMatchObject({ status: 'aborted', content: 'first words' });
    expect((await server.messages(chat.sessionId)).at(-1)).toMatchObject({ status: 'aborted', content: 'first words' });

    // Resumed, the generation sees the stop and ends without turning the record back into `complete`.
    resume();
    await server.settled();
    expect((await server.messages(chat.sessionId)).at(-1)).toMatchObject({ status: 'aborted', content: 'first words' });
  });

  it('resumes a hung reply when the test says so', async () => {
    const server = createTestWorker({ reply: 'held then released' });
    const resume = server.model.hangNext({ afterPieces: 1 });
    const chat = client(server);
    const sent = chat.send('hold');
    await vi.waitFor(() => expect(chat.messages.at(-1)).toMatchObject({ status: 'streaming', content: 'held' }));
    resume();
    expect(await sent).toMatchObject({ status: 'complete', content: 'held then released' });
  });

  it('paces pieces by pieceDelayMs, so a test sees a reply mid-stream', async () => {
    const server = createTestWorker({ reply: 'slow and steady words', pieceDelayMs: 30 });
    const chat = client(server);
    const sent = chat.send('pace');
    // Mid-stream: some of the words shown, not all (how many depends on the machine's pace, not the promise).
    await vi.waitFor(() => {
      const shown = chat.messages.at(-1);
      expect(shown).toMatchObject({ role: 'assistant', status: 'streaming' });
      expect(shown?.content).toMatch(/^slow( and( steady)?)?$/);
    });
    expect(chat.status).toBe('streaming');
    expect((await sent).content).toBe('slow and steady words');
  });

  it('takes the network down: requests reject as fetch does offline, and a stream in flight breaks off', async () => {
    const server = createTestWorker({ reply: 'this reply keeps going after the client is gone', pieceDelayMs: 20 });
    const response = await server.fetch('/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: 'network-cut', message: { id: 'turn-0001', content: 'go' } }),
    });
    const reader = (response.body ?? new ReadableStream()).getReader();
    await reader.read();
    server.network.down();
    expect(server.network.online).toBe(false);
    await expect(reader.read()).rejects.toThrow('Failed to fetch');
    await expect(server.fetch('/api/history?sessionId=network-cut')).rejects.toThrow(TypeError);

    // The Worker runs the reply to its end whoever is listening, and the server holds it.
    await server.settled();
    expect(await server.messages('network-cut')).toMatchObject([
      { role: 'user', content: 'go' },
      { role: 'assistant', status: 'complete', content: 'this reply keeps going after the client is gone' },
    ]);
    const heard = vi.fn();
    server.onlineEvents.addEventListener('online', heard);
    server.network.up();
    expect(heard).toHaveBeenCalledOnce();
    expect((await server.fetch('/api/history?sessionId=network-cut')).status).toBe(200);
  });

  it("shows another device's turn once the client syncs", async () => {
    const server = createTestWorker();
    const chat = client(server, { sessionId: 'two-devices' });
    await chat.send('from this device');
    const other = await server.send('two-devices', 'from the phone');
    expect(other.reply).toMatchObject({ role: 'assistant', status: 'complete', content: 'You said: from the phone', replyTo: other.userMessage.id });
    await chat.sync();
    expect(contents(chat.messages)).toEqual(['from this device', 'You said: from this device', 'from the phone', 'You said: from the phone']);
  });

  it('reports a failed reply of another device with its error', async () => {
    const server = createTestWorker();
    server.model.failNext({ message: 'down' });
    const exchange = await server.send('failing-device', 'hello');
    expect(exchange.reply.status).toBe('error');
    expect(exchange.error).toEqual({ code: 'model_error', message: 'down' });
  });

  it('refuses to seed a record the Worker could never serve', async () => {
    const server = createTestWorker();
    const record: ChatMessage = { id: 'ok-id-0001', sessionId: 'short', role: 'user', content: 'x', timestamp: new Date().toISOString(), status: 'complete' };
    await expect(server.seed([record])).rejects.toThrow('short');
    expect(server.kv.keys()).toEqual([]);
  });

  it('seeds records the Worker serves as its own, a conversation from before the test', async () => {
    const server = createTestWorker();
    const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, second)).toISOString();
    await server.seed([
      { id: 'seeded-user-1', sessionId: 'seeded-conversation', role: 'user', content: 'earlier question', timestamp: at(0), updatedAt: at(0), status: 'complete' },
      { id: 'seeded-reply-1', sessionId: 'seeded-conversation', role: 'assistant', content: 'earlier answer', timestamp: at(1), updatedAt: at(1), status: 'complete', replyTo: 'seeded-user-1' },
    ]);
    const chat = client(server, { sessionId: 'seeded-conversation' });
    await vi.waitFor(() => expect(contents(chat.messages)).toEqual(['earlier question', 'earlier answer']));
    expect(server.kv.keys()).toEqual(['message:seeded-conversation:seeded-reply-1', 'message:seeded-conversation:seeded-user-1']);
    await chat.send('and now');
    expect(server.model.calls[0]?.messages.map((message) => message.content)).toEqual(['earlier question', 'earlier answer', 'and now']);
  });

  it('passes createChatWorker options through, and two Workers can share one KV', async () => {
    const kv = memoryKv();
    const first = createTestWorker({ kv, worker: { basePath: '/chat-api' } });
    const second = createTestWorker({ kv, reply: 'from the second isolate', worker: { basePath: '/chat-api' } });
    const chat = client(first, { endpoint: '/chat-api', sessionId: 'shared-kv' });
    await chat.send('hello');
    expect(contents(await second.messages('shared-kv'))).toEqual(['hello', 'You said: hello']);
    expect((await first.fetch('/api/history?sessionId=shared-kv')).status).toBe(404);
  });
});
