// The pure fold from chatkeep events and records to the AI SDK's UI message chunks, read back with the real `ai`.
import type { UIMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { chunksForEvent, chunksForRecord, newProgress } from '../../sdk/ai-sdk/reply-chunks';
import { toUIMessages } from '../../sdk/ai-sdk/history-messages';
import type { ChatMessage } from '../../sdk/protocol';
import { shown } from './shown-ui-message';

const SESSION = 'session-0001';
const record = (over: Partial<ChatMessage>): ChatMessage => ({
  id: 'turn-0001_r',
  sessionId: SESSION,
  role: 'assistant',
  content: '',
  timestamp: '2026-01-01T00:00:00.000Z',
  status: 'streaming',
  replyTo: 'turn-0001',
  ...over,
});
const user: ChatMessage = { ...record({}), id: 'turn-0001', role: 'user', content: 'Hi', status: 'complete', replyTo: undefined };
const start = (id = 1) => ({ event: 'start', id: String(id), data: JSON.stringify({ userMessage: user, assistantMessage: record({}) }) });
const delta = (text: string, id: number, messageId = 'turn-0001_r') => ({ event: 'delta', id: String(id), data: JSON.stringify({ id: messageId, text }) });
const done = (content: string, status: ChatMessage['status'] = 'complete') => ({
  event: 'done',
  data: JSON.stringify({ message: record({ content, status }) }),
});

const textOf = (message: UIMessage | undefined) =>
  message?.parts.map((part) => (part.type === 'text' ? part.text : '')).join('') ?? '';

describe('chatkeep events as UI message chunks', () => {
  it('streams start, deltas and done as one text part named by the reply id', async () => {
    const progress = newProgress();
    const chunks = [start(), delta('Hello', 2), delta(' there', 3), done('Hello there')].flatMap((e) => chunksForEvent(progress, e));
    expect(chunks[0]).toEqual({ type: 'start', messageId: 'turn-0001_r' });
    expect(chunks.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    const message = await shown(chunks);
    expect(message?.id).toBe('turn-0001_r');
    expect(textOf(message)).toBe('Hello there');
    expect(progress).toMatchObject({ text: 'Hello there', ended: true, lastEventId: '3' });
  });

  it('ignores deltas of another reply, a second start, and everything after the end', async () => {
    const progress = newProgress();
    const events = [start(), delta('A', 2), delta('X', 3, 'other-0001_r'), start(4), delta('B', 5), done('AB'), delta('C', 6)];
    expect(textOf(await shown(events.flatMap((e) => chunksForEvent(progress, e))))).toBe('AB');
  });

  it('completes the text from the final record when deltas were missed', async () => {
    const progress = newProgress();
    const chunks = [start(), delta('Hel', 2), done('Hello world')].flatMap((e) => chunksForEvent(progress, e));
    expect(textOf(await shown(chunks))).toBe('Hello world');
  });

  it('shows a final record alone (a resume of a finished reply) as the whole message', async () => {
    const progress = newProgress();
    expect(textOf(await shown(chunksForEvent(progress, done('All of it'))))).toBe('All of it');
  });

  it('replaces the text when the final record keeps less than was streamed (a stop)', async () => {
    const progress = newProgress();
    const chunks = [start(), delta('Hello wor', 2), done('Hello', 'aborted')].flatMap((e) => chunksForEvent(progress, e));
    const message = await shown(chunks);
    expect(textOf(message)).toBe('Hello');
    expect(message?.parts.filter((part) => part.type === 'text')).toHaveLength(1);
  });

  it('ends a failed reply with an error chunk carrying the code, keeping its text', async () => {
    const progress = newProgress();
    const failed = {
      event: 'error',
      data: JSON.stringify({ error: { code: 'model_error', message: 'down' }, message: record({ content: 'Part', status: 'error' }) }),
    };
    const chunks = [start(), delta('Part', 2), failed].flatMap((e) => chunksForEvent(progress, e));
    expect(chunks.at(-1)).toEqual({ type: 'error', errorText: 'model_error: down' });
    const errors: unknown[] = [];
    expect(textOf(await shown(chunks, errors))).toBe('Part');
    expect(errors).toHaveLength(1);
  });

  it('follows history records: each one adds only the text after what was shown', () => {
    const progress = newProgress();
    const first = chunksForRecord(progress, record({ content: 'One' }));
    const second = chunksForRecord(progress, record({ content: 'One two' }));
    const last = chunksForRecord(progress, record({ content: 'One two three', status: 'complete' }));
    expect(first.filter((c) => c.type === 'text-delta')).toEqual([{ type: 'text-delta', id: 'turn-0001_r', delta: 'One' }]);
    expect(second).toEqual([{ type: 'text-delta', id: 'turn-0001_r', delta: ' two' }]);
    expect(last.map((c) => c.type)).toEqual(['text-delta', 'text-end', 'finish']);
    expect(chunksForRecord(progress, record({ content: 'One two three four', status: 'complete' }))).toEqual([]);
  });
});

describe('toUIMessages', () => {
  it('keeps ids, roles and text, and marks a streaming reply', () => {
    const messages = toUIMessages([user, record({ content: 'So far' })]);
    expect(messages).toEqual([
      { id: 'turn-0001', role: 'user', parts: [{ type: 'text', text: 'Hi', state: 'done' }] },
      { id: 'turn-0001_r', role: 'assistant', parts: [{ type: 'text', text: 'So far', state: 'streaming' }] },
    ]);
  });
});
