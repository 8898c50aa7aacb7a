import { ChatClient } from 'chatkeep';
import { createTestWorker, freshIndexedDB } from 'chatkeep/testing';
import { afterEach, expect, test, vi } from 'vitest';

// Every client a test opens is closed after it, so no timer or channel outlives the test.
const open: ChatClient[] = [];
afterEach(() => open.splice(0).forEach((chat) => chat.close()));
const track = (chat: ChatClient) => (open.push(chat), chat);

test('sends a turn and shows the reply', async () => {
  const server = createTestWorker({ reply: (prompt) => `Echo: ${prompt}` });
  const chat = track(new ChatClient({ fetch: server.fetch, indexedDB: freshIndexedDB() }));

  const reply = await chat.send('Hello');

  expect(reply).toMatchObject({ role: 'assistant', status: 'complete', content: 'Echo: Hello' });
  expect(chat.messages.map((message) => message.content)).toEqual(['Hello', 'Echo: Hello']);
});

test('after a reload the cached conversation shows before history answers', async () => {
  const server = createTestWorker();
  const indexedDB = freshIndexedDB(); // the same browser storage for both page loads
  const first = track(new ChatClient({ fetch: server.fetch, indexedDB }));
  await first.send('Remember this');
  first.close();

  server.network.down(); // history cannot answer yet
  const reloaded = track(new ChatClient({ fetch: server.fetch, indexedDB, onlineEvents: server.onlineEvents }));
  await reloaded.ready;
  expect(reloaded.sessionId).toBe(first.sessionId);
  expect(reloaded.messages.map((message) => message.content)).toEqual(['Remember this', 'You said: Remember this']);
  await vi.waitFor(() => expect(reloaded.status).toBe('offline'));

  server.network.up(); // fires `online`: the client syncs with history
  await vi.waitFor(() => expect(reloaded.status).toBe('idle'), { timeout: 5_000 });
  expect(reloaded.messages).toHaveLength(2);
});

test('a turn sent offline is delivered exactly once when the network is back', async () => {
  const server = createTestWorker();
  const chat = track(new ChatClient({ fetch: server.fetch, indexedDB: freshIndexedDB(), onlineEvents: server.onlineEvents }));
  await chat.ready;

  server.network.down();
  const queued = await chat.send('Sent from a tunnel');
  expect(queued).toMatchObject({ role: 'user', status: 'pending' });
  expect(chat.status).toBe('offline');

  server.network.up(); // fires `online`, as a page's window does
  await vi.waitFor(() => expect(chat.messages.at(-1)).toMatchObject({ status: 'complete', content: 'You said: Sent from a tunnel' }), {
    timeout: 5_000,
  });
  expect(server.model.calls.map((call) => call.prompt)).toEqual(['Sent from a tunnel']);
  expect((await server.messages(chat.sessionId)).map((message) => message.content)).toEqual(['Sent from a tunnel', 'You said: Sent from a tunnel']);
  expect(chat.messages).toHaveLength(2);
});

test('a model failure reaches the user as an error reply', async () => {
  const server = createTestWorker({ reply: 'Half of an answer that never ends' });
  server.model.failNext({ message: 'The model is overloaded', afterPieces: 3 });
  const chat = track(new ChatClient({ fetch: server.fetch, indexedDB: freshIndexedDB() }));

  const reply = await chat.send('Tell me everything');

  expect(reply).toMatchObject({
    role: 'assistant',
    status: 'error',
    content: 'Half of an',
    error: { code: 'model_error', message: 'The model is overloaded' },
  });
  expect(chat.messages.at(-1)?.error?.message).toBe('The model is overloaded');
});
