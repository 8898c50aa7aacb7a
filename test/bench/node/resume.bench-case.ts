// Row 11: time from reconnect to the first resumed text, live resume (GET /chat/stream) against history follow, on
// the same Worker with its conversation object.
import { IDBFactory } from 'fake-indexeddb';
import { expect, it } from 'vitest';
import { ChatClient } from '../../../sdk/index';
import type { ErrorResponseBody } from '../../../sdk/protocol';
import { createChatWorker } from '../../../worker/create-chat-worker';
import { createConversationClass } from '../../../worker/conversation/conversation-object';
import { replyIdFor } from '../../../worker/conversation/reply-id';
import { SessionStore } from '../../../worker/store/session-store';
import { inProcess } from '../../../worker/testing/in-process';
import { median, ms, ratio, report } from '../figures';
import { inProcessConversations } from '../../../worker/testing/in-process-conversations';
import { memoryKv } from '../support/memory-kv';
import { pacedModel } from '../support/models';

const WORDS = 60;
/** Real time between words: the demo model's pace. */
const WORD_GAP_MS = 40;
/** When the page goes away: past the reply's first checkpoint (1 s, in the object's storage), well before its end. */
const LEAVE_AFTER_MS = 1_300;
const RUNS = 7;

const wait = (delayMs: number) => new Promise((resolve) => setTimeout(resolve, delayMs));

it('time from reconnect to the first resumed text, live resume vs history follow', async () => {
  const kv = memoryKv();
  const options = { kv, model: pacedModel({ pieces: WORDS, realGapMs: WORD_GAP_MS }) };
  const objects = inProcessConversations(createConversationClass(options));
  const host = inProcess(createChatWorker({ ...options, conversations: objects.namespace }), {});
  /** What a Worker that cannot resume the reply answers (no object, or one restarted): the SDK follows history. */
  const withoutResume: typeof host.fetch = async (input, init) => {
    if (!String(input).includes('/chat/stream')) return host.fetch(input, init);
    const body: ErrorResponseBody = { error: { code: 'resume_unavailable', message: 'not held' } };
    return new Response(JSON.stringify(body), { status: 409, headers: { 'content-type': 'application/json' } });
  };

  /**
   * Sends a turn, leaves mid-reply, then opens a new client (a reload on another device: an empty cache) and times
   * it from construction to the first text beyond what KV held of the reply at that moment (what history alone
   * could show; its `streaming` placeholder, checkpoints being the object's): the first text only a resume brings.
   */
  const reconnect = async (run: number, fetch: typeof host.fetch): Promise<number> => {
    const sessionId = `bench-resume-${run}`;
    const userId = `${sessionId}-u1`;
    const response = await host.fetch('http://bench/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId, message: { id: userId, content: 'Tell me about tides.' } }),
    });
    await wait(LEAVE_AFTER_MS);
    await response.body?.cancel();
    const replyId = await replyIdFor(userId);
    const inKv = await new SessionStore(kv, sessionId, 60).get(replyId);
    expect(inKv?.status).toBe('streaming');
    const checkpointed = inKv?.content.length ?? 0;

    const start = performance.now();
    const chat = new ChatClient({
      endpoint: 'http://bench/api',
      sessionId,
      fetch,
      indexedDB: new IDBFactory(),
      BroadcastChannel: null,
      locks: null,
      onlineEvents: new EventTarget(),
    });
    const elapsed = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no resumed text within 10 s')), 10_000);
      const check = () => {
        const reply = chat.messages.find((message) => message.id === replyId);
        if (reply === undefined || reply.content.length <= checkpointed) return;
        clearTimeout(timer);
        off();
        resolve(performance.now() - start);
      };
      const off = chat.subscribe(check);
      check();
    });
    chat.close();
    // The reply runs to its end before the next run, so no run shares the process with another's reply.
    await host.settled();
    await objects.settled();
    return elapsed;
  };

  const live: number[] = [];
  const history: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    // Alternating which goes first.
    if (run % 2 === 0) {
      live.push(await reconnect(2 * run, host.fetch));
      history.push(await reconnect(2 * run + 1, withoutResume));
    } else {
      history.push(await reconnect(2 * run, withoutResume));
      live.push(await reconnect(2 * run + 1, host.fetch));
    }
  }
  const liveMs = median(live);
  const historyMs = median(history);
  report({
    row: 11,
    order: 1,
    measure: 'Time from reconnect to the first resumed text (new ChatClient mid-reply -> text past what KV holds of the reply)',
    chatkeep: ms(liveMs),
    baseline: ms(historyMs),
    baselineName: 'history follow, same Worker (GET /chat/stream answered 409 resume_unavailable)',
    ratio: `${ratio(historyMs, liveMs, 1)} faster`,
    goal: '—',
    met: null,
    method:
      `node, the Worker and its conversation object in-process (Map KV, checkpoints every 1 s in the object's storage), a model of ${WORDS} words ` +
      `${WORD_GAP_MS} ms apart in real time; the sending page leaves after ${LEAVE_AFTER_MS} ms; a new ChatClient ` +
      '(empty fake-indexeddb cache, default history poll backoff 500 ms doubling) timed with performance.now() from ' +
      `construction to the first reply text longer than KV's record of it; median of ${RUNS} each, alternating order`,
  });
});
