// @vitest-environment happy-dom
// useConversation mounted in React's StrictMode (effects run, are cleaned up and run again), unmounted and mounted
// again, on fake-indexeddb against the real Worker.
import { IDBFactory } from 'fake-indexeddb';
import { act, createElement, StrictMode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { fetch as nodeFetch } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { useConversation, type Conversation } from '../../sdk/react';
import { makeSessionId } from '../../sdk/ids';
import { origin, serverHistory } from './support';

declare global {
  // React reads it to know that updates are wrapped in `act`.
  var IS_REACT_ACT_ENVIRONMENT: boolean | undefined;
}
globalThis.IS_REACT_ACT_ENVIRONMENT = true;
// The page is served by the Worker, as the demo is: its requests are same-origin.
(window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(`${origin()}/`);

/**
 * Node's fetch, not happy-dom's: happy-dom's response body closes its stream controller when the socket ends even
 * after the reader cancelled it (the client cancels a reply stream it no longer needs on close), and that throws
 * outside any test. The requests are the same.
 */
const pageFetch = (url: string, init?: RequestInit): Promise<Response> =>
  nodeFetch(url, init as Parameters<typeof nodeFetch>[1]) as unknown as Promise<Response>;

/** An IndexedDB factory that counts `open` calls: each ChatClient opens its database once. */
function countingIndexedDB(): { factory: IDBFactory; opens: () => number } {
  const factory = new IDBFactory();
  let opens = 0;
  const open = factory.open.bind(factory);
  factory.open = (name: string, version?: number) => {
    opens++;
    return open(name, version);
  };
  return { factory, opens: () => opens };
}

/** Waits (letting React and the client work) until `test` holds, or fails after `timeoutMs`. */
async function until(test: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
  }
}

/** Lets the task that closes a released client run. */
const nextTask = () => act(() => new Promise((resolve) => setTimeout(resolve, 0)));

describe('useConversation in StrictMode', () => {
  const roots: Root[] = [];
  afterEach(async () => {
    await act(() => roots.splice(0).forEach((root) => root.unmount()));
    await nextTask();
  });

  function mount(props: { sessionId: string; indexedDB: IDBFactory }) {
    const renders: Conversation[] = [];
    function Chat() {
      const conversation = useConversation({ endpoint: `${origin()}/api`, onlineEvents: null, fetch: pageFetch, ...props });
      renders.push(conversation);
      return createElement('p', null, conversation.messages.map((m) => m.content).join('|'));
    }
    const root = createRoot(document.createElement('div'));
    roots.push(root);
    return { root, renders, element: createElement(StrictMode, null, createElement(Chat)) };
  }

  it('keeps one open client through the double mount, sends through it, and keeps send, stop and clear stable', async () => {
    const sessionId = makeSessionId();
    const storage = countingIndexedDB();
    const { root, renders, element } = mount({ sessionId, indexedDB: storage.factory });
    await act(() => root.render(element));
    await until(() => renders.at(-1)!.loaded, 'the cache to load');

    const reply = await act(() => renders.at(-1)!.send('Hello from StrictMode'));
    expect(reply).toMatchObject({ role: 'assistant', status: 'complete' });
    await until(() => renders.at(-1)!.messages.length === 2 && renders.at(-1)!.status === 'idle', 'both turns');

    const last = renders.at(-1)!;
    expect(last.messages.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
    ]);
    const stored = await serverHistory(sessionId);
    expect(last.messages.map((m) => [m.id, m.content])).toEqual(stored.map((m) => [m.id, m.content]));
    // One client for the whole StrictMode mount: the simulated unmount did not close it and make another.
    expect(storage.opens()).toBe(1);
    expect(new Set(renders.map((r) => r.send)).size).toBe(1);
    expect(new Set(renders.map((r) => r.stop)).size).toBe(1);
    expect(new Set(renders.map((r) => r.clear)).size).toBe(1);
  });

  it('closes the client after an unmount, and a remount shows the cached conversation from a new client', async () => {
    const sessionId = makeSessionId();
    const storage = countingIndexedDB();
    const first = mount({ sessionId, indexedDB: storage.factory });
    await act(() => first.root.render(first.element));
    await until(() => first.renders.at(-1)!.loaded, 'the cache to load');
    await act(() => first.renders.at(-1)!.send('Keep this'));
    const shown = first.renders.at(-1)!.messages;
    await act(() => first.root.unmount());
    roots.splice(roots.indexOf(first.root), 1);
    await nextTask();

    const second = mount({ sessionId, indexedDB: storage.factory });
    await act(() => second.root.render(second.element));
    await until(() => second.renders.at(-1)!.loaded, 'the cache to load again');
    expect(storage.opens()).toBe(2);
    expect(second.renders.at(-1)!.messages.map((m) => [m.id, m.content])).toEqual(shown.map((m) => [m.id, m.content]));
    // The new client works: a send goes through it, not through the closed one.
    await expect(act(() => second.renders.at(-1)!.send('And this'))).resolves.toMatchObject({ status: 'complete' });
  });

  it('shares one client between two components showing the same conversation', async () => {
    const sessionId = makeSessionId();
    const storage = countingIndexedDB();
    const a = mount({ sessionId, indexedDB: storage.factory });
    const b = mount({ sessionId, indexedDB: storage.factory });
    await act(() => {
      a.root.render(a.element);
      b.root.render(b.element);
    });
    await until(() => a.renders.at(-1)!.loaded && b.renders.at(-1)!.loaded, 'both to load');
    await act(() => a.renders.at(-1)!.send('Seen by both'));
    await until(() => b.renders.at(-1)!.messages.length === 2, 'the other component to show the turn');
    expect(storage.opens()).toBe(1);
  });
});
