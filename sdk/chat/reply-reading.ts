import { ChatError } from '../errors';
import type { CachedReply } from '../persistence';
import { CHECKPOINT_INTERVAL_MS, isFinalStatus } from '../protocol';
import { readReply } from '../reply-reader';
import { shownReply, type ReplyState } from '../reply-stream';
import { isReadHere, stopReading, type ChatContext, type ReplyReading } from './chat-context';
import { dequeue, fail, forgetConversation, notify, save, settleWaiter, show } from './chat-view';
import { stopReply } from './reply-stop';

/**
 * Other tabs are told a streaming reply at most this often, the whole record each time (so a tab that missed a
 * message, or joined late, is whole again at the next one): reads that arrive faster than a screen refreshes are
 * told together, and the rest of the reply comes with its final record.
 */
const TAB_INTERVAL_MS = 50;

/** A reading begins: `status` says streaming until it ends. */
export function startReading(chat: ChatContext, reading: ReplyReading): ReplyReading {
  chat.readings.add(reading);
  notify(chat);
  return reading;
}

/** A reading has ended: its `send()` settles if the reply is final. */
export function endReading(chat: ChatContext, reading: ReplyReading): void {
  chat.readings.delete(reading);
  notify(chat);
  // No record has an empty id: a reading that never learnt its reply's finds none.
  const reply = chat.messages.get(reading.replyId ?? reading.state.reply?.id ?? '');
  if (reply && isFinalStatus(reply.status) && !isReadHere(chat, reading.userId)) settleWaiter(chat, reading.userId, reply);
}

/**
 * Shows a reply's progress: the acknowledgement (`start`) ends the turn's outbox entry, text is shown per network
 * read and told to other tabs, and the cache gets a checkpoint (with the event id it reaches) at
 * most once per `checkpointIntervalMs`.
 */
function progress(chat: ChatContext, reading: ReplyReading, state: ReplyState): void {
  const before = reading.state;
  reading.state = state;
  const reply = shownReply(state);
  if (!reply) return;
  const current = chat.messages.get(reply.id);
  // A record already final (stopped, or history was faster) is never reopened by a late read; a resume that
  // starts over shows nothing until it has caught up with the text on screen.
  const behind = !state.final && current && (isFinalStatus(current.status) || current.content.length > reply.content.length);
  if (state.user && !before.user) {
    // Acknowledged: only now may the outbox entry go, and the last failure is over.
    chat.retryAttempt = 0;
    chat.error = undefined;
    reading.savedAt = chat.now();
    show(chat, behind ? [state.user] : [state.user, state.final ?? reply]);
    void dequeue(chat, state.user.id);
    if (reading.stopWhenStarted && !state.final) {
      stopReading(reading);
      void stopReply(chat, reply);
    }
    return;
  }
  if (state.final || state.failure || behind) return;
  const at = chat.now();
  show(chat, [reply], [], false, false);
  if (at - (reading.toldAt ?? -Infinity) >= TAB_INTERVAL_MS) {
    chat.channel?.post({ put: [reply] });
    reading.toldAt = at;
  }
  if (at - (reading.savedAt ?? 0) >= (chat.options.checkpointIntervalMs ?? CHECKPOINT_INTERVAL_MS)) {
    reading.savedAt = chat.now();
    void saveResumePoint(chat, state);
  }
}

/** Writes the text shown of a streaming reply to the cache, with the event it reaches: a reload resumes from there. */
export function saveResumePoint(chat: ChatContext, state: ReplyState): Promise<void> | undefined {
  const reply = shownReply(state);
  if (!reply || state.final || state.lastEventId === undefined) return;
  chat.resumePoints.set(reply.id, state.lastEventId);
  const row: CachedReply = { ...reply, lastEventId: state.lastEventId };
  return save(chat, (storage) => storage.put(chat.sessionId, [row]));
}

/** Reads a reply stream into `reading`, on from its state; resolves whether the reply has said its last word. */
export async function readInto(chat: ChatContext, reading: ReplyReading, body: ReadableStream<Uint8Array>): Promise<boolean> {
  const { stalled } = await readReply(body, reading.state, {
    timers: chat.timers,
    stallTimeoutMs: chat.options.stallTimeoutMs ?? 30_000,
    controller: reading.controller,
    onProgress: (state) => progress(chat, reading, state),
  });
  const state = reading.state;
  if (state.final) {
    show(chat, [state.final]);
    return true;
  }
  if (state.failure?.code === 'conversation_deleted') {
    await forgetConversation(chat, new ChatError('conversation_deleted', state.failure.message));
    return true;
  }
  if (reading.stopped) return true;
  if (state.broken) fail(chat, new ChatError('bad_response', state.broken));
  else if (stalled) fail(chat, new ChatError('stalled', 'stream stalled'));
  return false;
}
