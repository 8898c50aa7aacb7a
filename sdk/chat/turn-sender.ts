import { backoffDelay, isRetryable, retryAfterMs } from '../backoff';
import { ChatError } from '../errors';
import { jsonPost, request, responseError } from '../http';
import { planOutbox } from '../outbox';
import { ROUTE, type ChatMessage } from '../protocol';
import { sendingReply } from '../reply-stream';
import { runExclusive } from '../tabs';
import type { ChatContext } from './chat-context';
import { dequeue, fail, save, settleWaiter, show } from './chat-view';
import { follow } from './reply-follower';
import { endReading, readInto, startReading } from './reply-reading';

/**
 * Sends the outbox, oldest first, holding the outbox lock (one sender across tabs). `wait` queues behind the holder
 * instead of leaving the round to it: `send()` goes through here too.
 */
export const flush = (chat: ChatContext, wait = false): Promise<void> =>
  runExclusive(
    chat.options.locks === undefined ? globalThis.navigator?.locks : chat.options.locks,
    `chatkeep:outbox:${chat.sessionId}`,
    async () => {
      if (chat.closed) return;
      const { messages, persistence, sessionId } = chat;
      // The turns shown pending are a scan of the conversation: read only when the outbox holds nothing.
      const pending = () => messages.all.filter((m) => m.status === 'pending');
      const plan = await planOutbox(persistence.storage, sessionId, messages.get, pending).catch(() => undefined);
      if (!plan) return;
      for (const turn of plan.requeue) await save(chat, (storage) => storage.enqueue(turn));
      for (const id of plan.done) void dequeue(chat, id);
      for (const [index, turn] of plan.send.entries()) {
        if (chat.closed) return;
        if (!messages.get(turn.id)) show(chat, [turn], [], false, false);
        if (await post(chat, turn)) continue;
        // The Worker cannot be reached now: the turns after this one stay queued too, and their sends say so.
        for (const queued of plan.send.slice(index + 1)) settleWaiter(chat, queued.id, messages.get(queued.id) ?? queued);
        return;
      }
    },
    wait,
  );

/** The next outbox round, after `delayMs` or the backoff's next wait; one at a time. */
function scheduleRetry(chat: ChatContext, delayMs?: number): void {
  chat.retryTimer ??= chat.scheduler.later(delayMs ?? backoffDelay(chat.retryAttempt++), () => {
    chat.retryTimer = undefined;
    void flush(chat);
  });
}

/**
 * Sends one turn and reads its reply; resolves whether the Worker was reached (it took the turn, or refused it for
 * good): when not, the turn stays queued, and so do the ones after it.
 */
async function post(chat: ChatContext, turn: ChatMessage): Promise<boolean> {
  const { sessionId, messages } = chat;
  const reading = startReading(chat, { controller: new AbortController(), userId: turn.id, state: sendingReply(sessionId, turn.id) });
  try {
    const response = await request(
      chat.fetcher,
      chat.endpoint + ROUTE.chat,
      jsonPost({ sessionId, message: { id: turn.id, content: turn.content } }, reading.controller.signal),
    );
    chat.offline = false;
    if (response.ok) {
      if (await readInto(chat, reading, response.body!)) return true;
      const reply = reading.state.reply;
      // Not acknowledged: the Worker may not have the turn; it stays queued and is sent again.
      if (!reading.state.user || !reply) {
        if (!reading.state.broken) fail(chat, new ChatError('network_error', 'stream cut'));
        return unreachable(chat, turn);
      }
      // The Worker persists the whole reply even without us: follow the rest.
      endReading(chat, reading);
      void follow(chat, messages.get(reply.id) ?? reply, reading.state.lastEventId);
      return true;
    }
    const refusal = await responseError(response);
    if (refusal.code === 'reply_in_progress') {
      // The Worker has the turn and is still replying (another device sent it): follow that reply.
      void dequeue(chat, turn.id);
      endReading(chat, reading);
      void follow(chat, undefined, undefined, turn.id);
      return true;
    }
    if (isRetryable(response.status)) {
      fail(chat, refusal);
      return unreachable(chat, turn, retryAfterMs(response.headers.get('retry-after'), chat.now()));
    }
    // Refused for good (too long, unauthorized…): sending it again cannot help.
    show(chat, [], [turn.id]);
    void dequeue(chat, turn.id);
    fail(chat, refusal);
    settleWaiter(chat, turn.id, refusal);
    return true;
  } catch (cause) {
    if (reading.stopped) return true;
    fail(chat, cause);
    return unreachable(chat, turn);
  } finally {
    endReading(chat, reading);
  }
}

/** The turn stays queued: its `send()` resolves with it, and the outbox tries again later. */
function unreachable(chat: ChatContext, turn: ChatMessage, delayMs?: number): false {
  settleWaiter(chat, turn.id, chat.messages.get(turn.id) ?? turn);
  scheduleRetry(chat, delayMs);
  return false;
}
