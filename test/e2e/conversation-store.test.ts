// The demo's conversation list in localStorage: order, titles, and tolerance of broken storage.
import { describe, expect, it } from 'vitest';
import { ConversationStore } from '../../demo/src/conversation-store';

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

function clock(start = 1_000) {
  let t = start;
  return { now: () => t, tick: (ms = 1) => (t += ms) };
}

describe('ConversationStore', () => {
  it('lists conversations most recently used first and remembers the last one', () => {
    const time = clock();
    const store = new ConversationStore({ storage: memoryStorage(), now: time.now });
    store.touch('conversation-a');
    time.tick();
    store.touch('conversation-b');
    time.tick();
    store.touch('conversation-a');
    expect(store.list().map((e) => e.sessionId)).toEqual(['conversation-a', 'conversation-b']);
    expect(store.last()).toBe('conversation-a');
  });

  it('titles a conversation from its first user turn, on one line and shortened', () => {
    const store = new ConversationStore({ storage: memoryStorage(), now: clock().now });
    store.touch('conversation-a');
    expect(store.setTitle('conversation-a', '  Hello\n  there  ')).toBe(true);
    expect(store.setTitle('conversation-a', 'Hello there')).toBe(false);
    expect(store.list()[0]?.title).toBe('Hello there');
    store.setTitle('conversation-a', 'x'.repeat(100));
    expect(store.list()[0]?.title).toBe(`${'x'.repeat(59)}…`);
    expect(store.setTitle('not-in-the-list', 'Hi')).toBe(false);
  });

  it('keeps separate lists under separate prefixes', () => {
    const storage = memoryStorage();
    new ConversationStore({ storage, now: clock().now, prefix: 'one' }).touch('conversation-a');
    expect(new ConversationStore({ storage, now: clock().now, prefix: 'two' }).list()).toEqual([]);
  });

  it('reads corrupt or foreign data as an empty list and survives a storage that throws', () => {
    const storage = memoryStorage();
    storage.data.set('chatkeep-demo:conversations', '{not json');
    expect(new ConversationStore({ storage, now: clock().now }).list()).toEqual([]);
    storage.data.set('chatkeep-demo:conversations', JSON.stringify([{ sessionId: 'a:b' }, 7]));
    expect(new ConversationStore({ storage, now: clock().now }).list()).toEqual([]);

    const broken = {
      getItem: (): string | null => {
        throw new Error('SecurityError');
      },
      setItem: (): void => {
        throw new Error('QuotaExceededError');
      },
    };
    const store = new ConversationStore({ storage: broken, now: clock().now });
    expect(() => store.touch('conversation-a')).not.toThrow();
    expect(store.list()).toEqual([]);
    expect(store.last()).toBeNull();
  });
});
