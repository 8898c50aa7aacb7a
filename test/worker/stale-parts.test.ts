// A reply whose writer went away mid-tool-call: its `streaming` record is shown ended, the tool with it.
import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatPart } from '../../sdk/protocol';
import { uniqueId } from './support/ids';
import { call, historyRequest } from './support/requests';
import { seed } from './support/seed';
import { chatWorker } from './support/chat-worker';

describe('a stale streaming record with a running tool', () => {
  it('is shown error/interrupted in history, the running tool ended error/aborted, the rest of its parts kept', async () => {
    const sessionId = uniqueId('s');
    const old = new Date(Date.now() - 10 * 60_000).toISOString();
    const user: ChatMessage = { id: uniqueId('m'), sessionId, role: 'user', content: 'what time', timestamp: old, status: 'complete', updatedAt: old };
    const reply: ChatMessage = {
      id: `${user.id}_r`,
      sessionId,
      role: 'assistant',
      content: 'Checking. ',
      timestamp: old,
      status: 'streaming',
      replyTo: user.id,
      updatedAt: old,
      parts: [
        { type: 'reasoning', text: 'Use the clock.' },
        { type: 'text', text: 'Checking. ' },
        { type: 'tool', toolCallId: 'c1', name: 'get_time', input: { timezone: 'UTC' }, state: 'running' },
      ],
    };
    await seed([user, reply]);
    const { text } = await call(chatWorker(), historyRequest({ sessionId }));
    const shown = (JSON.parse(text) as { messages: ChatMessage[] }).messages.find((message) => message.id === reply.id);
    expect(shown).toMatchObject({ status: 'error', error: { code: 'interrupted' }, content: 'Checking. ' });
    expect(shown?.parts).toEqual([
      reply.parts![0],
      reply.parts![1],
      { ...reply.parts![2], state: 'error', error: { code: 'aborted', message: 'The reply ended before the tool finished' } },
    ]);
  });
});
