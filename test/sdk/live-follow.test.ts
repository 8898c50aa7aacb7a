/**
 * Following a reply this page did not start, end to end against the real Worker (wrangler dev, the conversation
 * object bound): a reload mid-reply resumes live from the cache's last event id, a second device attaches
 * mid-reply, `stop()` ends a followed reply.
 */
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { ChatClient } from '../../sdk/chat-client';
import type { ChatMessage } from '../../sdk/protocol';
import { idbStorage } from '../../sdk/storage/idb-storage';
import { client, closedAfterEach, origin, serverHistory, until } from './support';

const track = closedAfterEach();
/** The demo model's longest reply (120 words): at the suite's 5 ms a word, long enough to land in its middle. */
const PROMPT = 'Tell me everything, part 50';

/** One request the client made: what it asked for and how the Worker answered. */
interface Call {
  method: string;
  path: string;
  lastEventId: string | null;
  status?: number;
}

/** A fetch that records every request, its `Last-Event-ID` and the status it got. */
function recordingFetch(): { fetch: (url: string, init?: RequestInit) => Promise<Response>; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      const call: Call = {
        method: init?.method ?? 'GET',
        path: new URL(url).pathname,
        lastEventId: new Headers(init?.headers).get('last-event-id'),
      };
      calls.push(call);
      const response = await fetch(url, init);
      call.status = response.status;
      return response;
    },
  };
}

const replyOf = (chat: ChatClient): ChatMessage | undefined => chat.messages.find((m) => m.role === 'assistant');
const isFinalReply = (chat: ChatClient) => () => ['complete', 'aborted', 'error'].includes(replyOf(chat)?.status ?? '');

/** Every text length a client shows for its reply, from now on. */
function lengthsShown(chat: ChatClient): number[] {
  const lengths: number[] = [];
  const record = () => {
    const reply = replyOf(chat);
    if (reply) lengths.push(reply.content.length);
  };
  chat.subscribe(record);
  record();
  return lengths;
}

/**
 * A page that sends `PROMPT` and is reloaded once its reply shows `minChars`: `pagehide` writes the text shown with
 * its event id, the page closes, and a new client opens the same database. Resolves with the new client and the row
 * the cache held at the reload.
 */
async function reloadMidReply(base: string, fetcher: ReturnType<typeof recordingFetch>, minChars = 20) {
  const indexedDB = new IDBFactory();
  const pageEvents = new EventTarget();
  const first = track(client({ base, indexedDB, onlineEvents: pageEvents, BroadcastChannel: null }));
  await first.ready;
  first.send(PROMPT).catch(() => undefined);
  await until(first, () => (replyOf(first)?.content.length ?? 0) >= minChars);
  expect(replyOf(first)?.status, 'the reload lands mid-reply').toBe('streaming');
  pageEvents.dispatchEvent(new Event('pagehide'));
  const sessionId = first.sessionId;
  const replyId = replyOf(first)!.id;
  first.close();
  await first.ready;
  const cache = idbStorage(indexedDB);
  const row = (await cache.load(sessionId)).find((m) => m.id === replyId) as (ChatMessage & { lastEventId?: string }) | undefined;
  cache.close();
  const reloaded = track(client({ base, indexedDB, sessionId, fetch: fetcher.fetch, BroadcastChannel: null }));
  return { reloaded, row, sessionId, replyId };
}

describe('a reply followed live through GET /chat/stream', () => {
  it('after a reload mid-reply: resumed from the cached event id, never below the checkpoint, ends as persisted', async () => {
    const fetcher = recordingFetch();
    const { reloaded, row, sessionId, replyId } = await reloadMidReply(origin(), fetcher);
    expect(row).toMatchObject({ status: 'streaming' });
    expect(row?.lastEventId).toMatch(/^\d+$/);
    expect(row!.content.length).toBeGreaterThan(0);

    await reloaded.ready;
    const lengths = lengthsShown(reloaded);
    const statuses = new Set<string>();
    reloaded.subscribe(() => statuses.add(reloaded.status));
    await until(reloaded, isFinalReply(reloaded));

    const stored = (await serverHistory(sessionId)).find((m) => m.id === replyId);
    expect(stored?.status).toBe('complete');
    expect(replyOf(reloaded)).toEqual(stored);
    expect(Math.min(...lengths), 'never shorter than the cached checkpoint').toBeGreaterThanOrEqual(row!.content.length);
    expect(statuses.has('streaming')).toBe(true);
    const streams = fetcher.calls.filter((c) => c.path === '/api/chat/stream');
    expect(streams).toEqual([{ method: 'GET', path: '/api/chat/stream', lastEventId: row!.lastEventId, status: 200 }]);
    // The one history read is the load's; no poll followed the reply.
    expect(fetcher.calls.filter((c) => c.path === '/api/history')).toHaveLength(1);
  });

  it('a second device attaching mid-reply streams the rest live and ends with the same text', async () => {
    const sender = track(client());
    await sender.ready;
    const sent = sender.send(PROMPT);
    await until(sender, () => (replyOf(sender)?.content.length ?? 0) >= 20);

    const fetcher = recordingFetch();
    const device = track(client({ sessionId: sender.sessionId, fetch: fetcher.fetch }));
    await device.ready;
    const lengths = lengthsShown(device);
    await until(device, isFinalReply(device));
    const final = await sent;

    expect(replyOf(device)).toEqual(final);
    expect(final.status).toBe('complete');
    expect(fetcher.calls.filter((c) => c.path === '/api/chat/stream').map((c) => [c.lastEventId, c.status])).toEqual([[null, 200]]);
    expect(fetcher.calls.filter((c) => c.path === '/api/history')).toHaveLength(1);
    // Live: the device showed the reply growing, not only its end.
    const partial = new Set(lengths.filter((length) => length > 0 && length < final.content.length));
    expect(partial.size).toBeGreaterThan(1);
  });

  it('stop() on a followed reply ends it aborted on the Worker, with the text shown', async () => {
    const fetcher = recordingFetch();
    const { reloaded, row, sessionId, replyId } = await reloadMidReply(origin(), fetcher);
    await reloaded.ready;
    // Stopped once the resumed stream has shown text beyond the checkpoint.
    await until(reloaded, () => (replyOf(reloaded)?.content.length ?? 0) > row!.content.length);
    expect(reloaded.status).toBe('streaming');
    const shown = replyOf(reloaded)!.content;
    await reloaded.stop();

    const stored = (await serverHistory(sessionId)).find((m) => m.id === replyId);
    expect(stored).toMatchObject({ status: 'aborted', content: shown });
    expect(replyOf(reloaded)).toEqual(stored);
    await until(reloaded, () => reloaded.status !== 'streaming');
    expect(fetcher.calls.some((c) => c.path === '/api/chat/stop' && c.status === 200)).toBe(true);
  });
});
