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

/** Counts, from now on, the arrays of 1,000 records or more that are copied (sliced, filtered or concatenated). */
function copiesOfLongArrays(): () => number {
  const spies = [vi.spyOn(Array.prototype, 'slice'), vi.spyOn(Array.prototype, 'filter'), vi.spyOn(Array.prototype, 'concat')];
  return () => spies.flatMap((spy) => spy.mock.contexts).filter((array) => (array as unknown[]).length >= 1_000).length;
}

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
    const copies = copiesOfLongArrays();
    let reply = records.at(-1)!;
    for (let chunk = 0; chunk < 100; chunk++) {
      reply = { ...reply, content: `${reply.content}word${chunk} ` };
      expect(list.apply([reply])).toBe(true);
    }
    expect(copies()).toBe(0);
    expect(list.get('a-streaming')).toBe(reply);
    expect(list.last()).toBe(reply);
    // Read once: one array, with every chunk, in place.
    const shown = list.all;
    expect(copies()).toBe(1);
    expect(list.all).toBe(shown);
    expect(shown).toHaveLength(10_000);
    expect(shown.at(-1)).toBe(reply);
    expect(shown.at(-2)).toBe(records.at(-2));
    // The view taken before the chunks still shows the list as it was.
    expect(before().at(-1)).toBe(records.at(-1));
  });

  it('takes new turns and their replies at the end of a long conversation with a copy of it only every 50 records', () => {
    const list = createMessageList();
    const records = conversation(10_000).slice(0, -1);
    list.reset(records);
    const copies = copiesOfLongArrays();
    const views: Array<() => readonly ChatMessage[]> = [];
    for (let turn = 0; turn < 100; turn++) {
      const second = 10_000 + turn * 2;
      // As a send goes: the turn pending, then acknowledged on the server's clock with its reply, which grows and ends.
      list.apply([record(`u-new-${turn}`, second + 1, 'pending')]);
      list.apply([record(`u-new-${turn}`, second), record(`a-new-${turn}`, second + 1, 'streaming', '')]);
      for (const text of ['Hel', 'Hello']) list.apply([record(`a-new-${turn}`, second + 1, 'streaming', text)]);
      list.apply([record(`a-new-${turn}`, second + 1, 'complete', 'Hello.')]);
      views.push(list.view());
    }
    // 200 records added: folded into the older ones 4 times, never copied per change.
    expect(copies()).toBeLessThanOrEqual(4);
    const shown = list.all;
    expect(shown).toHaveLength(10_199);
    expect(shown.slice(-4).map((m) => [m.id, m.content])).toEqual([
      ['u-new-98', 'u-new-98'],
      ['a-new-98', 'Hello.'],
      ['u-new-99', 'u-new-99'],
      ['a-new-99', 'Hello.'],
    ]);
    expect(shown.map((m) => m.timestamp)).toEqual(shown.map((m) => m.timestamp).sort());
    // Each view still shows its own state.
    expect(views[10]!()).toHaveLength(9_999 + 22);
    expect(views[10]!().at(-1)?.id).toBe('a-new-10');
  });

  it('puts a record among the older ones in its place, and drops records wherever they are', () => {
    const list = createMessageList();
    const records = conversation(1_000).slice(0, -1);
    list.reset(records);
    const early = list.view();
    const moved = { ...records[10]!, content: 'edited' };
    expect(list.apply([moved, record('u-gap', 3.5)], [records[500]!.id, records.at(-1)!.id])).toBe(true);
    const shown = list.all;
    expect(shown).toHaveLength(998);
    expect(shown[4]?.id).toBe('u-gap');
    expect(shown[11]).toBe(moved);
    expect(shown.some((m) => m.id === records[500]!.id || m.id === records.at(-1)!.id)).toBe(false);
    expect(list.last()).toBe(records.at(-2));
    expect(early()).toEqual(records);
    // New turns land after that as before.
    list.apply([record('u-late', 5_000)]);
    expect(list.all.at(-1)?.id).toBe('u-late');
    expect(list.all).toHaveLength(999);
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
