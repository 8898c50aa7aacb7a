// useConversation on the server: no client, no IndexedDB, no request; the page shows `initialMessages`.
import { createElement, StrictMode } from 'react';
import { renderToString } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useConversation, type Conversation } from '../../sdk/react';
import type { ChatMessage } from '../../sdk/protocol';

const SESSION = 'server-render-0001';
const history: ChatMessage[] = [
  { id: 'turn-0001', sessionId: SESSION, role: 'user', content: 'Hello', timestamp: '2026-01-01T00:00:00.000Z', status: 'complete' },
  {
    id: 'turn-0001_r',
    sessionId: SESSION,
    role: 'assistant',
    content: 'Hi <there>',
    timestamp: '2026-01-01T00:00:01.000Z',
    status: 'complete',
    replyTo: 'turn-0001',
  },
];

describe('useConversation in a server render', () => {
  const touched: string[] = [];
  const realIndexedDB = globalThis.indexedDB;
  beforeEach(() => {
    // Any use of IndexedDB on the server is recorded, whatever property is read.
    globalThis.indexedDB = new Proxy(realIndexedDB, {
      get(target, property, receiver) {
        touched.push(`indexedDB.${String(property)}`);
        return Reflect.get(target, property, receiver);
      },
    });
  });
  afterEach(() => {
    globalThis.indexedDB = realIndexedDB;
    touched.length = 0;
  });

  it('renders initialMessages without making a client, touching IndexedDB or the network', () => {
    let seen: Conversation | undefined;
    const requests: string[] = [];
    function Chat() {
      seen = useConversation({
        sessionId: SESSION,
        initialMessages: history,
        fetch: (url) => (requests.push(url), Promise.reject(new Error('no network on the server'))),
      });
      return createElement(
        'ol',
        null,
        seen.messages.map((m) => createElement('li', { key: m.id, 'data-role': m.role }, m.content)),
      );
    }
    const html = renderToString(createElement(StrictMode, null, createElement(Chat)));

    expect(html).toBe('<ol><li data-role="user">Hello</li><li data-role="assistant">Hi &lt;there&gt;</li></ol>');
    expect(seen).toMatchObject({ sessionId: SESSION, status: 'idle', loaded: false, messages: history });
    expect(touched).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('renders an empty conversation when no initial messages are given, the same on every render', () => {
    function Chat() {
      const { messages, status } = useConversation({ sessionId: SESSION });
      return createElement('p', { 'data-status': status }, `${messages.length} messages`);
    }
    const first = renderToString(createElement(Chat));
    expect(first).toBe('<p data-status="idle">0 messages</p>');
    expect(renderToString(createElement(Chat))).toBe(first);
    expect(touched).toEqual([]);
  });
});
