import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { ChatClient } from '../../sdk/chat-client';
import { isValidId } from '../../sdk/protocol';
import { closedAfterEach, client, finalReplies, serverHistory, until } from './support';

const track = closedAfterEach();

describe('ChatClient against the real Worker', () => {
  it('sends a turn, streams the reply through subscribers, and resolves with the final record', async () => {
    const chat = track(client());
    await chat.ready;
    expect(isValidId(chat.sessionId)).toBe(true);
    const seen: string[] = [];
    const statuses = new Set<string>();
    chat.subscribe(() => {
      const a = chat.messages.find((m) => m.role === 'assistant');
      if (a) seen.push(a.content);
      statuses.add(chat.status);
    });
    const reply = await chat.send('Tell me about tides');
    expect(reply.role).toBe('assistant');
    expect(reply.status).toBe('complete');
    expect(reply.content.split(' ').length).toBeGreaterThanOrEqual(40);
    expect(statuses.has('streaming')).toBe(true);
    // Deltas reached subscribers one piece at a time, not only as the final text.
    expect(new Set(seen).size).toBeGreaterThan(10);
    expect(chat.messages.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
    ]);
    expect(chat.messages[1]!.replyTo).toBe(chat.messages[0]!.id);
    const server = await serverHistory(chat.sessionId);
    expect(server.map((m) => m.id)).toEqual(chat.messages.map((m) => m.id));
    expect(server[1]!.content).toBe(reply.content);
    await until(chat, () => chat.status === 'idle');
  });

  it('gives a stable snapshot between changes, and a new one on change', async () => {
    const chat = track(client());
    await chat.ready;
    await until(chat, () => chat.status === 'idle');
    const a = chat.getSnapshot();
    expect(chat.getSnapshot()).toBe(a);
    await chat.send('Hello');
    expect(chat.getSnapshot()).not.toBe(a);
    expect(chat.getSnapshot()).toBe(chat.getSnapshot());
  });

  it('rejects an empty turn and a refused turn with a typed error, and keeps neither', async () => {
    const chat = track(client());
    await chat.ready;
    await expect(chat.send('   ')).rejects.toMatchObject({ name: 'ChatError', code: 'empty_content' });
    await expect(chat.send('x'.repeat(200_000))).rejects.toMatchObject({ name: 'ChatError' });
    expect(chat.messages).toEqual([]);
  });

  it('remembers the session it made, and reopens it when none is given', async () => {
    const factory = new IDBFactory();
    const first = track(client({ indexedDB: factory }));
    await first.ready;
    await first.send('Remember me');
    first.close();
    const second = track(client({ indexedDB: factory }));
    await second.ready;
    expect(second.sessionId).toBe(first.sessionId);
    expect(finalReplies(second.messages)).toHaveLength(1);
  });

  it('stop() ends the reply aborted with the text shown, here and on the Worker', async () => {
    const chat = track(client());
    await chat.ready;
    const sent = chat.send('A long answer please');
    await until(chat, (ms) => ms.some((m) => m.role === 'assistant' && m.content.length > 0));
    await chat.stop();
    const reply = await sent;
    expect(reply.status).toBe('aborted');
    const shown = chat.messages.find((m) => m.role === 'assistant')!;
    expect(shown.status).toBe('aborted');
    const server = (await serverHistory(chat.sessionId)).find((m) => m.role === 'assistant')!;
    expect(server.status).toBe('aborted');
    expect(server.content).toBe(shown.content);
  });

  it('clear() empties the conversation on the Worker and here', async () => {
    const chat = track(client());
    await chat.ready;
    await chat.send('Something to forget');
    await chat.clear();
    expect(chat.messages).toEqual([]);
    expect(await serverHistory(chat.sessionId)).toEqual([]);
  });
});
