import { describe, expect, it } from 'vitest';
import type { ChatMessage, EventDataMap } from '../../sdk/protocol';
import { ReplyParts, START_EVENT_ID, type PartEventName } from '../../worker/conversation/reply-parts';
import type { ModelPiece } from '../../worker/providers/model-provider';
import { SseStream } from '../../worker/stream/sse-stream';

/**
 * The exact bytes of a reply with reasoning, a tool call and text, as the Worker's own pieces make them: the events
 * ReplyParts gives for the pieces (and for the catch-ups of resumed streams), framed by the Worker's SseStream. The
 * SDK's fold is tested on these files (test/sdk/reply-parts-stream.test.ts), so a change to the wire shows up as a
 * diff of them.
 */
const SESSION = 'golden-session-0005';
const USER_ID = 'golden-message-0005';
const REPLY_ID = `${USER_ID}_r`;
const user: ChatMessage = {
  id: USER_ID,
  sessionId: SESSION,
  role: 'user',
  content: 'think: what time is it?',
  timestamp: '2026-01-02T03:04:05.600Z',
  status: 'complete',
  updatedAt: '2026-01-02T03:04:05.600Z',
};
const streaming: ChatMessage = {
  id: REPLY_ID,
  sessionId: SESSION,
  role: 'assistant',
  content: '',
  timestamp: '2026-01-02T03:04:05.601Z',
  status: 'streaming',
  replyTo: USER_ID,
  updatedAt: '2026-01-02T03:04:05.601Z',
};
const PIECES: ModelPiece[] = [
  { type: 'reasoning', text: 'The user wants' },
  { type: 'reasoning', text: ' the time in UTC.' },
  { type: 'tool-call', toolCallId: 'call_1', name: 'get_time', input: { timezone: 'UTC' } },
  { type: 'tool-result', toolCallId: 'call_1', output: { iso: '2026-01-02T03:04:05.600Z' } },
  'It is ',
  '03:04 UTC',
  '.',
];

/** Sends one event: generic, so that its name and data stay paired. */
function send<N extends PartEventName | 'start' | 'done'>(sse: SseStream, event: { name: N; data: EventDataMap[N]; id: number }): void {
  sse.event(event.name, event.data, event.id);
}

async function framed(write: (sse: SseStream) => void): Promise<string> {
  const sse = new SseStream({ pingIntervalMs: 60_000 });
  write(sse);
  sse.close();
  return new Response(sse.readable).text();
}

function reply() {
  const parts = new ReplyParts(REPLY_ID);
  const events = PIECES.flatMap((piece) => parts.add(piece));
  const doneId = parts.takeEventId();
  const final: ChatMessage = { ...streaming, ...parts.finish(), status: 'complete', updatedAt: '2026-01-02T03:04:05.602Z' };
  return { parts, events, done: { name: 'done' as const, data: { message: final }, id: doneId } };
}

describe('golden wire fixtures of a reply with parts', () => {
  it('a reasoning + tool + text reply', async () => {
    const { events, done } = reply();
    const text = await framed((sse) => {
      send(sse, { name: 'start', data: { userMessage: user, assistantMessage: streaming }, id: START_EVENT_ID });
      for (const event of events) send(sse, event);
      send(sse, done);
    });
    await expect(text).toMatchFileSnapshot('./fixtures/parts-exchange.sse');
  });

  it('its resumes: after event 2 (mid reasoning), after event 4 (the tool running), and from the start', async () => {
    for (const after of [2, 4]) {
      const { parts, done } = reply();
      const text = await framed((sse) => {
        for (const event of parts.catchUp(after)) send(sse, event);
        send(sse, done);
      });
      await expect(text).toMatchFileSnapshot(`./fixtures/parts-resume-after-event-${after}.sse`);
    }
    const { parts, done } = reply();
    const text = await framed((sse) => {
      send(sse, { name: 'start', data: { userMessage: user, assistantMessage: streaming }, id: START_EVENT_ID });
      for (const event of parts.catchUp()) send(sse, event);
      send(sse, done);
    });
    await expect(text).toMatchFileSnapshot('./fixtures/parts-resume-from-start.sse');
  });
});
