// Two tabs on one conversation and a reply with parts: the tab that only listens sees the parts grow with the text,
// never text beyond what its parts say.
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { makeSessionId } from '../../sdk/ids';
import type { ChatMessage } from '../../sdk/protocol';
import { closedAfterEach, client, finalReplies, until } from './support';

const track = closedAfterEach();
const textOf = (message: ChatMessage) =>
  (message.parts ?? []).flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');

describe('a reply with parts across tabs', () => {
  it('the other tab shows the tool call and its result, its parts in step with its text at every step it sees', async () => {
    const factory = new IDBFactory();
    const sessionId = makeSessionId();
    const a = track(client({ indexedDB: factory, sessionId }));
    const b = track(client({ indexedDB: factory, sessionId }));
    await Promise.all([a.ready, b.ready]);
    const seen: ChatMessage[] = [];
    b.subscribe(() => {
      for (const message of b.messages) if (message.role === 'assistant' && message.status === 'streaming') seen.push(message);
    });
    const reply = await a.send('what time is it, in many words?');
    await until(b, (messages) => finalReplies(messages).some((message) => message.id === reply.id));
    const withParts = seen.filter((message) => message.parts !== undefined);
    // How many in-between states the listening tab sees depends on the machine's pace; each one agrees with itself.
    for (const message of withParts) expect(textOf(message)).toBe(message.content);
    const shown = b.messages.find((message) => message.id === reply.id);
    expect(shown?.parts?.some((part) => part.type === 'tool' && part.state === 'done')).toBe(true);
    expect(textOf(shown!)).toBe(shown?.content);
    expect(b.messages).toEqual(a.messages);
  });
});
