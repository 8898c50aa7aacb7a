import { ChatError } from '../errors';
import { request } from '../http';
import { isFinalStatus, REPLY_ID_SUFFIX, ROUTE, type ChatMessage } from '../protocol';
import { resumingReply } from '../reply-stream';
import { isReadHere, type ChatContext, type ReplyReading } from './chat-context';
import { fail, forgetConversation } from './chat-view';
import { syncHistory } from './history-sync';
import { endReading, readInto, startReading } from './reply-reading';

/** Resume attempts in a row that bring nothing new before a followed reply is read through history instead. */
const MAX_IDLE_RESUMES = 3;
/** History reads in a row without a followed reply before it is taken as deleted (KV lists lag a little). */
const ABSENT_READS_TO_GONE = 2;

/**
 * Follows a reply this page did not start: live through `GET /chat/stream` from the last event the cache holds,
 * through history where the Worker cannot resume it. `cached` is the record shown (absent when only the user turn
 * is known).
 */
export async function follow(chat: ChatContext, cached: ChatMessage | undefined, lastEventId?: string, userId = cached?.replyTo ?? ''): Promise<void> {
  const { sessionId, fetcher, endpoint } = chat;
  const replyId = cached?.id ?? userId + REPLY_ID_SUFFIX;
  if (chat.closed || isReadHere(chat, userId)) return;
  const reading = startReading(chat, {
    controller: new AbortController(),
    userId,
    replyId,
    state: resumingReply(sessionId, userId, cached, lastEventId),
  });
  try {
    for (let idle = 0; idle < MAX_IDLE_RESUMES && !reading.stopped; ) {
      const fromEventId = reading.state.lastEventId;
      const query = new URLSearchParams({ sessionId, messageId: replyId });
      const response = await request(fetcher, `${endpoint}${ROUTE.chatStream}?${query}`, {
        headers: fromEventId === undefined ? {} : { 'last-event-id': fromEventId },
        signal: reading.controller.signal,
      });
      if (!response.ok) {
        // 409 `resume_unavailable` (the object no longer holds the reply) or 404 (not there yet): history.
        await response.body?.cancel().catch(() => undefined);
        break;
      }
      chat.offline = false;
      const before = reading.state;
      if (await readInto(chat, reading, response.body!)) return;
      if (reading.state.broken) break;
      idle = reading.state === before ? idle + 1 : 0;
      reading.controller = new AbortController();
    }
    if (!reading.stopped) await followHistory(chat, reading, replyId);
  } catch (cause) {
    if (reading.stopped) return;
    fail(chat, cause);
    await followHistory(chat, reading, replyId);
  } finally {
    endReading(chat, reading);
  }
}

/** Polls history (with backoff) until the reply is final, or gone from the Worker. */
async function followHistory(chat: ChatContext, reading: ReplyReading, replyId: string): Promise<void> {
  const { baseMs, capMs } = chat.options.historyPollBackoff ?? { baseMs: 500, capMs: 10_000 };
  for (let attempt = 0, absent = 0; !reading.stopped; attempt++) {
    const read = await syncHistory(chat);
    const reply = chat.messages.get(replyId);
    if (reply && isFinalStatus(reply.status)) return;
    if (read && !read.ids.includes(replyId) && (reply || !read.ids.includes(reading.userId))) {
      // An older Worker ends no stream when the conversation is deleted elsewhere (a conversation is only ever
      // deleted whole): history says so.
      if (++absent >= ABSENT_READS_TO_GONE) return forgetConversation(chat, new ChatError('conversation_deleted', 'reply gone from history'));
    } else absent = 0;
    await chat.scheduler.sleep(Math.min(capMs, baseMs * 2 ** attempt));
  }
}

/** Follows every reply shown as streaming that nothing here reads yet. */
export function followStreaming(chat: ChatContext): void {
  for (const m of chat.messages.all)
    if (m.status === 'streaming' && m.role === 'assistant' && !isReadHere(chat, m.replyTo)) void follow(chat, m, chat.resumePoints.get(m.id));
}
