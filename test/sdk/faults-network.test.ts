/**
 * The network dropping at each step of a send, against the real Worker (wrangler dev, local KV): before the request,
 * after the Worker stored the user turn, mid-stream, and after the reply was complete but before the client stored
 * it. After recovery every turn exists exactly once, in the client, in its IndexedDB and on the Worker.
 */
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { ChatClient } from '../../sdk/chat-client';
import type { Fetch } from '../../sdk/http';
import type { ChatMessage } from '../../sdk/protocol';
import type { ChatStorage } from '../../sdk/storage/chat-storage';
import { idbStorage } from '../../sdk/storage/idb-storage';
import { closedAfterEach, client, serverHistory, until } from './support';

const track = closedAfterEach();

type Step = 'before the request' | 'after the Worker stored the user turn' | 'mid-stream' | 'just before done';

/** A `fetch` whose first `POST /chat` fails at `step`; everything else reaches the real Worker. */
function droppingFetch(step: Step): { fetch: Fetch; dropped: () => boolean; chatPosts: () => number } {
  let dropped = false;
  let cut = step === 'before the request' || step === 'after the Worker stored the user turn';
  let posts = 0;
  const fetchOnce: Fetch = async (url, init) => {
    const isChat = init?.method === 'POST' && new URL(url).pathname.endsWith('/chat');
    if (!isChat) return fetch(url, init);
    posts++;
    if (dropped) return fetch(url, init);
    dropped = true;
    if (step === 'before the request') throw new TypeError('Failed to fetch');
    const response = await fetch(url, init);
    // The Worker answers 200 only once the user turn is durably written: the headers prove it.
    if (step === 'after the Worker stored the user turn') {
      await response.body?.cancel();
      throw new TypeError('network error');
    }
    const marker = step === 'mid-stream' ? /event: delta[\s\S]*event: delta/ : /event: done/;
    return new Response(cutStream(response.body!, marker, () => (cut = true)), {
      status: response.status,
      headers: response.headers,
    });
  };
  return { fetch: fetchOnce, dropped: () => dropped && cut, chatPosts: () => posts };
}

/**
 * Passes the Worker's bytes through until `marker` matches what was received, then fails as a dropped connection
 * does. For `event: done` the cut comes just before that event, so the client never sees it.
 */
function cutStream(body: ReadableStream<Uint8Array>, marker: RegExp, onCut: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let seen = '';
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      const text = decoder.decode(value, { stream: true });
      const match = marker.exec(seen + text);
      if (match === null) {
        seen += text;
        controller.enqueue(value);
        return;
      }
      const keep = marker.source === 'event: done' ? match.index - seen.length : text.length;
      if (keep > 0) controller.enqueue(encoder.encode(text.slice(0, keep)));
      onCut();
      await reader.cancel();
      controller.error(new TypeError('network connection was lost'));
    },
  });
}

/** Exactly one user turn with `content` and exactly one final reply to it, and nothing else of it. */
function expectOnce(messages: readonly ChatMessage[], content: string, where: string): ChatMessage[] {
  const users = messages.filter((m) => m.role === 'user' && m.content === content);
  expect(users, `${where}: user turns`).toHaveLength(1);
  const replies = messages.filter((m) => m.role === 'assistant' && m.replyTo === users[0]!.id);
  expect(replies, `${where}: replies`).toHaveLength(1);
  expect(replies[0]!.status, `${where}: reply status`).toBe('complete');
  expect(users[0]!.status, `${where}: user status`).toBe('complete');
  return [users[0]!, replies[0]!];
}

const settled = (content: string) => (ms: readonly ChatMessage[]) =>
  ms.some((m) => m.role === 'user' && m.content === content && m.status === 'complete') &&
  ms.some((m) => m.role === 'assistant' && m.status === 'complete') &&
  ms.every((m) => m.status !== 'pending' && m.status !== 'streaming');

async function expectEverywhereOnce(chat: ChatClient, factory: IDBFactory, contents: string[]): Promise<void> {
  const server = await serverHistory(chat.sessionId);
  const stored = await idbStorage(factory).load(chat.sessionId);
  for (const content of contents) {
    const here = expectOnce(chat.messages, content, 'client');
    const there = expectOnce(server, content, 'Worker');
    expect(here).toEqual(there);
    const local = expectOnce(stored, content, 'IndexedDB');
    expect(local).toEqual(there);
  }
  expect(server).toHaveLength(contents.length * 2);
  expect(chat.messages).toHaveLength(contents.length * 2);
}

const STEPS: Step[] = ['before the request', 'after the Worker stored the user turn', 'mid-stream', 'just before done'];

describe('the network dropping during a send', () => {
  for (const step of STEPS) {
    it(`${step}: after recovery the turn and its reply exist exactly once, in the client, IndexedDB and the Worker`, async () => {
      const factory = new IDBFactory();
      const net = droppingFetch(step);
      const chat = track(client({ indexedDB: factory, fetch: net.fetch, historyPollBackoff: { baseMs: 50, capMs: 400 } }));
      await chat.ready;
      const content = `Dropped ${step}`;
      await chat.send(content);
      await until(chat, settled(content));
      expect(net.dropped()).toBe(true);
      await expectEverywhereOnce(chat, factory, [content]);

      // The conversation goes on, and a reload shows the same thing.
      await chat.send('And after it');
      await until(chat, settled('And after it'));
      chat.close();
      const reloaded = track(client({ indexedDB: factory, sessionId: chat.sessionId }));
      await reloaded.ready;
      await reloaded.sync();
      await expectEverywhereOnce(reloaded, factory, [content, 'And after it']);
    });
  }

  it('after done, before the client stored it (the write fails once): a reload recovers the reply, exactly once', async () => {
    const factory = new IDBFactory();
    const real = idbStorage(factory);
    let failures = 0;
    const failingOnce: ChatStorage = {
      ...real,
      put: (sessionId, messages, drops) => {
        const final = messages.some((m) => m.role === 'assistant' && m.status === 'complete');
        if (final && failures === 0) {
          failures++;
          return Promise.reject(new DOMException('The transaction was aborted', 'AbortError'));
        }
        return real.put(sessionId, messages, drops);
      },
    };
    const chat = track(client({ storage: failingOnce }));
    await chat.ready;
    const reply = await chat.send('Store me');
    expect(reply.status).toBe('complete');
    expect(failures).toBe(1);
    chat.close();

    const reloaded = track(client({ indexedDB: factory, sessionId: chat.sessionId }));
    await reloaded.ready;
    await reloaded.sync();
    await until(reloaded, settled('Store me'));
    await expectEverywhereOnce(reloaded, factory, ['Store me']);
  });
});
