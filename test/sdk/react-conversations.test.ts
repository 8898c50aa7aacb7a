// @vitest-environment happy-dom
// useConversations mounted in React's StrictMode, unmounted and mounted again, on fake-indexeddb against the Worker.
import { IDBFactory } from 'fake-indexeddb';
import { act, createElement, StrictMode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { fetch as nodeFetch } from 'undici';
import { afterEach, expect, it } from 'vitest';
import { useConversations, type Conversations } from '../../sdk/react';
import { origin } from './support';

declare global {
  var IS_REACT_ACT_ENVIRONMENT: boolean | undefined;
}
globalThis.IS_REACT_ACT_ENVIRONMENT = true;
(window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(`${origin()}/`);
const pageFetch = (url: string, init?: RequestInit): Promise<Response> =>
  nodeFetch(url, init as Parameters<typeof nodeFetch>[1]) as unknown as Promise<Response>;

async function until(test: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
  }
}

const roots: Root[] = [];
afterEach(async () => {
  await act(() => roots.splice(0).forEach((root) => root.unmount()));
  await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
});

function counted(factory: IDBFactory, opens: { count: number }): IDBFactory {
  const open = factory.open.bind(factory);
  factory.open = (name: string, version?: number) => (opens.count++, open(name, version));
  return factory;
}

function mount(factory: IDBFactory) {
  const renders: Conversations[] = [];
  function Sidebar() {
    const list = useConversations({ endpoint: `${origin()}/api`, indexedDB: factory, fetch: pageFetch, onlineEvents: null, locks: null });
    renders.push(list);
    return createElement('ul', null, list.conversations.map((c) => createElement('li', { key: c.sessionId }, c.title)));
  }
  const root = createRoot(document.createElement('div'));
  roots.push(root);
  return { root, renders, element: createElement(StrictMode, null, createElement(Sidebar)) };
}

it('one list through StrictMode’s double mount, stable actions, and the cached list again after a remount', async () => {
  const opens = { count: 0 };
  const factory = counted(new IDBFactory(), opens);
  const first = mount(factory);
  await act(() => first.root.render(first.element));
  await until(() => first.renders.at(-1)!.loaded && first.renders.at(-1)!.status === 'idle', 'the list to load and sync');
  const id = await act(() => first.renders.at(-1)!.create('Sidebar entry'));
  await until(() => first.renders.at(-1)!.conversations.length === 1, 'the new entry');
  expect(first.renders.at(-1)!.conversations[0]?.sessionId).toBe(id);
  expect(opens.count).toBe(1);
  expect(new Set(first.renders.map((r) => r.create)).size).toBe(1);
  expect(new Set(first.renders.map((r) => r.remove)).size).toBe(1);

  await act(() => first.root.unmount());
  roots.splice(roots.indexOf(first.root), 1);
  await act(() => new Promise((resolve) => setTimeout(resolve, 0)));

  const second = mount(factory);
  await act(() => second.root.render(second.element));
  await until(() => second.renders.at(-1)!.loaded, 'the cached list');
  expect(second.renders.at(-1)!.conversations.map((c) => c.title)).toEqual(['Sidebar entry']);
  expect(opens.count).toBe(2);
});
