import { describe, expect, it } from 'vitest';
import { merge, type ServerState } from '../../sdk/merge';
import { createMessageList } from '../../sdk/message-list';
import type { ChatMessage, MessageStatus } from '../../sdk/protocol';

const NOW = Date.parse('2026-01-01T00:10:00.000Z');
const OLD = '2026-01-01T00:00:00.000Z'; // ten minutes before NOW: beyond the 60 s KV window
const RECENT = '2026-01-01T00:09:30.000Z'; // thirty seconds before NOW: within it

const msg = (id: string, status: MessageStatus, content = id, timestamp = OLD, extra: Partial<ChatMessage> = {}): ChatMessage => ({
  id,
  sessionId: 'session-1',
  role: id.startsWith('a') ? 'assistant' : 'user',
  content,
  timestamp,
  status,
  ...extra,
});
const server = (messages: ChatMessage[], ids = messages.map((m) => m.id)): ServerState => ({ messages, ids });

interface Case {
  name: string;
  local: ChatMessage[];
  server: ServerState;
  messages: ChatMessage[];
  writes: string[];
  drops?: string[];
}

const cases: Case[] = [
  {
    name: 'an empty cache takes every server record',
    local: [],
    server: server([msg('u1', 'complete'), msg('a1', 'complete', 'hi', '2026-01-01T00:00:01.000Z')]),
    messages: [msg('u1', 'complete'), msg('a1', 'complete', 'hi', '2026-01-01T00:00:01.000Z')],
    writes: ['u1', 'a1'],
  },
  {
    name: 'an identical record is not written again',
    local: [msg('u1', 'complete')],
    server: server([msg('u1', 'complete')]),
    messages: [msg('u1', 'complete')],
    writes: [],
  },
  {
    name: 'a final server record wins over a local streaming one',
    local: [msg('a1', 'streaming', 'partial reply that is long')],
    server: server([msg('a1', 'complete', 'short')]),
    messages: [msg('a1', 'complete', 'short')],
    writes: ['a1'],
  },
  {
    name: 'a final server record wins over a different local final one',
    local: [msg('a1', 'aborted', 'par')],
    server: server([msg('a1', 'error', 'partial', OLD, { error: { code: 'interrupted', message: 'x' } })]),
    messages: [msg('a1', 'error', 'partial', OLD, { error: { code: 'interrupted', message: 'x' } })],
    writes: ['a1'],
  },
  {
    name: 'a local final record is not undone by a streaming checkpoint',
    local: [msg('a1', 'aborted', 'seen so far')],
    server: server([msg('a1', 'streaming', 'seen so far and more')]),
    messages: [msg('a1', 'aborted', 'seen so far')],
    writes: [],
  },
  {
    name: 'a streaming reply is followed when the server has more text',
    local: [msg('a1', 'streaming', 'one')],
    server: server([msg('a1', 'streaming', 'one two')]),
    messages: [msg('a1', 'streaming', 'one two')],
    writes: ['a1'],
  },
  {
    name: 'a streaming reply keeps the longer local text over a lagging checkpoint',
    local: [msg('a1', 'streaming', 'one two three')],
    server: server([msg('a1', 'streaming', 'one')]),
    messages: [msg('a1', 'streaming', 'one two three')],
    writes: [],
  },
  {
    name: 'a local pending turn stays while the server lacks it, however old',
    local: [msg('u1', 'pending')],
    server: server([]),
    messages: [msg('u1', 'pending')],
    writes: [],
  },
  {
    name: 'a local pending turn is replaced once the server has it',
    local: [msg('u1', 'pending', 'hello', RECENT)],
    server: server([msg('u1', 'complete', 'hello', OLD)]),
    messages: [msg('u1', 'complete', 'hello', OLD)],
    writes: ['u1'],
  },
  {
    name: 'a confirmed record missing from ids beyond the window is dropped',
    local: [msg('u1', 'complete'), msg('u2', 'complete', 'u2', RECENT)],
    server: server([], ['u2']),
    messages: [msg('u2', 'complete', 'u2', RECENT)],
    writes: [],
    drops: ['u1'],
  },
  {
    name: 'a confirmed record missing from ids within the window stays (KV may not show it yet)',
    local: [msg('u1', 'complete', 'u1', RECENT)],
    server: server([], []),
    messages: [msg('u1', 'complete', 'u1', RECENT)],
    writes: [],
  },
  {
    name: 'updatedAt, when present, dates a record for the window',
    local: [msg('a1', 'complete', 'x', OLD, { updatedAt: RECENT })],
    server: server([], []),
    messages: [msg('a1', 'complete', 'x', OLD, { updatedAt: RECENT })],
    writes: [],
  },
  {
    name: 'records listed in ids but not sent (a since query) are kept untouched',
    local: [msg('u1', 'complete'), msg('a1', 'complete', 'reply', '2026-01-01T00:00:02.000Z')],
    server: server([msg('u2', 'complete', 'u2', '2026-01-01T00:05:00.000Z')], ['u1', 'a1', 'u2']),
    messages: [
      msg('u1', 'complete'),
      msg('a1', 'complete', 'reply', '2026-01-01T00:00:02.000Z'),
      msg('u2', 'complete', 'u2', '2026-01-01T00:05:00.000Z'),
    ],
    writes: ['u2'],
  },
  {
    name: 'the result is ordered by timestamp, then id',
    local: [msg('u9', 'pending', 'later', '2026-01-01T00:09:00.000Z')],
    server: server([msg('ub', 'complete', 'b', OLD), msg('ua', 'complete', 'a', OLD)]),
    messages: [msg('ua', 'complete', 'a', OLD), msg('ub', 'complete', 'b', OLD), msg('u9', 'pending', 'later', '2026-01-01T00:09:00.000Z')],
    writes: ['ub', 'ua'],
  },
];

describe('merge', () => {
  it.each(cases)('$name', (c) => {
    const shown = createMessageList();
    shown.reset(c.local);
    const r = merge(new Map(c.local.map((m) => [m.id, m])), c.server, NOW);
    shown.apply(r.writes, r.drops);
    expect(shown.all).toEqual(c.messages);
    expect(r.writes.map((m) => m.id)).toEqual(c.writes);
    expect(r.drops).toEqual(c.drops ?? []);
  });

  it('does not mutate its inputs', () => {
    const local = [msg('a1', 'streaming', 'one')];
    const before = structuredClone(local);
    merge(new Map(local.map((m) => [m.id, m])), server([msg('a1', 'complete', 'one two')]), NOW);
    expect(local).toEqual(before);
  });

  it('sees a record with its keys in another order as the same record', () => {
    const local = msg('a1', 'complete', 'same', OLD, { replyTo: 'u1', updatedAt: OLD });
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(local).reverse()))) as ChatMessage;
    expect(merge(new Map([[local.id, local]]), server([reordered]), NOW).writes).toEqual([]);
  });
});
