/**
 * The conversation in memory: history order, snapshots that never change under their reader, and a streamed reply
 * growing in its place without a copy of a long conversation per chunk.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMessageList } from '../../sdk/message-list';
import type { ChatMessage, MessageStatus } from '../../sdk/protocol';

const SESSION = 'list-session-0001';
const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
const record = (id: string, second: number, status: MessageStatus = 'complete', content = id): ChatMessage => ({
  id,
  sessionId: SESSION,
  role: id.startsWith('a') ? 'assistant' : 'user',
  content,
  timestamp: at(second),
  status,
});
/** `count` records one second apart, the last one a reply streaming with no text yet. */
const conversation = (count: number): ChatMessage[] =>
  Array.from({ length: count }, (_, i) =>
    i === count - 1 ? record('a-streaming', i, 'streaming', '') : record(`${i % 2 ? 'a' : 'u'}-${i}`, i),
  );

afterEach(() => vi.restoreAllMocks());

describe('the message list', () => {
  it('takes a reply whose parts changed and its text did not (a tool call, its result), and not the same parts again', () => {
    const list = createMessageList();
    const reply = record('a-tool', 1, 'streaming', '');
    list.reset([reply]);
    const running = { ...reply, parts: [{ type: 'tool' as const, toolCallId: 'c1', name: 'get_time', input: null, state: 'running' as const }] };
    expect(list.apply([running])).toBe(true);
    expect(list.view()()[0]?.parts).toEqual(running.parts);
    expect(list.apply([{ ...running, parts: structuredClone(running.parts) }])).toBe(false);
    const done = { ...reply, parts: [{ ...running.parts[0]!, state: 'done' as const, output: { iso: 'now' } }] };
    expect(list.apply([done])).toBe(true);
    expect(list.view()()[0]?.parts).toEqual(done.parts);
  });

  it('grows a streaming reply in its place with no copy of the list until the list is read', () => {
    const list = createMessageList();
    const records = conversation(10_000);
    list.reset(records);
    const before = list.view();
    const slice = vi.spyOn(Array.prototype, 'slice');
    const filter = vi.spyOn(Array.prototype, 'filter');
    let reply = records.at(-1)!;
    for (let chunk = 0; chunk < 100; chunk++) {
      reply = { ...reply, content: `${reply.content}word${chunk} ` };
      expect(list.apply([reply])).toBe(true);
    }
    const copiesOfTheList = (spy: typeof slice | typeof filter) =>
      spy.mock.contexts.filter((array) => (array as unknown[]).length >= 10_000).length;
    expect(copiesOfTheList(slice) + copiesOfTheList(filter)).toBe(0);
    expect(list.get('a-streaming')).toBe(reply);
    // Read once: one array, with every chunk, in place.
    const shown = list.all;
    expect(copiesOfTheList(slice)).toBe(1);
    expect(shown).toHaveLength(10_000);
    expect(shown.at(-1)).toBe(reply);
    expect(shown.at(-2)).toBe(records.at(-2));
    // The view taken before the chunks still shows the list as it was.
    expect(before().at(-1)).toBe(records.at(-1));
  });

  it('gives each state its own view, built when first read and the same function until the list changes', () => {
    const list = createMessageList();
    list.reset([record('u-1', 1), record('a-1', 2, 'streaming', 'He')]);
    const first = list.view();
    expect(list.view()).toBe(first);
    list.apply([record('a-1', 2, 'streaming', 'Hello')]);
    const second = list.view();
    expect(second).not.toBe(first);
    list.apply([record('u-2', 3, 'pending')]);
    const third = list.view();
    list.apply([record('a-1', 2, 'complete', 'Hello there')], ['u-1']);
    // Read only now, after later changes: each view shows its own state.
    expect(first().map((m) => m.content)).toEqual(['u-1', 'He']);
    expect(second().map((m) => m.content)).toEqual(['u-1', 'Hello']);
    expect(third().map((m) => m.id)).toEqual(['u-1', 'a-1', 'u-2']);
    expect(list.all.map((m) => [m.id, m.content])).toEqual([
      ['a-1', 'Hello there'],
      ['u-2', 'u-2'],
    ]);
    expect(second()).toBe(second());
  });

  it('keeps history order when a record moves in time or a new one lands before the last', () => {
    const list = createMessageList();
    list.reset([record('u-1', 1), record('a-1', 2), record('u-2', 10, 'pending')]);
    // The pending turn takes the server's clock, earlier than its own; a reply lands after it.
    list.apply([record('u-2', 5), record('a-2', 6, 'streaming', '')]);
    list.apply([record('a-2', 6, 'streaming', 'partial')]);
    list.apply([record('u-0', 0)]);
    expect(list.all.map((m) => m.id)).toEqual(['u-0', 'u-1', 'a-1', 'u-2', 'a-2']);
    expect(list.all.at(-1)?.content).toBe('partial');
    expect(list.apply([record('a-2', 6, 'streaming', 'partial')])).toBe(false);
  });
});
