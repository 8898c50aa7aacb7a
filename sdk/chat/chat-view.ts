import type { ChatStatus } from '../chat-client-options';
import { ChatError } from '../errors';
import { isFinalStatus, type ChatMessage } from '../protocol';
import type { ChatStorage } from '../storage/chat-storage';
import { halt, isReadHere, type ChatContext } from './chat-context';

/** A new snapshot when anything shown changed, and then every listener is told. */
export function notify(chat: ChatContext): void {
  const { snapshot, persistence, error } = chat;
  const status: ChatStatus = chat.offline ? 'offline' : chat.readings.size ? 'streaming' : chat.syncing ? 'syncing' : 'idle';
  const shownMessages = chat.messages.view();
  if (
    // The session id changes only on load, together with the messages.
    shownMessages === chat.shownMessages &&
    snapshot?.status === status &&
    snapshot.storage === persistence.kind &&
    snapshot.error === error
  )
    return;
  chat.shownMessages = shownMessages;
  // The array is built when the app reads it: a streamed chunk costs no copy of a long conversation.
  chat.snapshot = {
    get messages() {
      return shownMessages();
    },
    status,
    sessionId: chat.sessionId,
    storage: persistence.kind,
    error,
  };
  for (const listener of chat.listeners) {
    try {
      listener();
    } catch (listenerError) {
      // A subscriber's failure is the app's to see, not the stream's: it changes no state here.
      queueMicrotask(() => {
        throw listenerError;
      });
    }
  }
}

/** Runs a storage change; never rejects (what is shown is already up to date). */
export const save = (chat: ChatContext, change: (storage: ChatStorage) => Promise<unknown>): Promise<void> =>
  chat.persistence.save(change);
export const touch = (chat: ChatContext): Promise<void> =>
  save(chat, (storage) => storage.saveSession({ id: chat.sessionId, at: chat.now(), cursor: chat.cursor }));
export const dequeue = (chat: ChatContext, id: string): Promise<void> => save(chat, (storage) => storage.dequeue(id));

/** Settles the `send()` of the turn `userId`, if one waits: with the message, or with the error. */
export function settleWaiter(chat: ChatContext, userId: string, outcome: ChatMessage | ChatError): void {
  chat.waiters.get(userId)?.(outcome);
  chat.waiters.delete(userId);
}

/**
 * Shows records and drops ids; a final reply settles the `send()` waiting for it. `persist` writes the change to
 * the cache, `broadcast` tells other tabs.
 */
export function show(chat: ChatContext, records: readonly ChatMessage[], drops: readonly string[] = [], persist = true, broadcast = true): void {
  if (!chat.messages.apply(records, drops)) return;
  // A reply read here settles its `send()` once its reading has ended (then `status` no longer says streaming).
  for (const record of records)
    if (record.role === 'assistant' && record.replyTo && isFinalStatus(record.status) && !isReadHere(chat, record.replyTo))
      settleWaiter(chat, record.replyTo, record);
  if (broadcast) chat.channel?.post({ put: records, drops });
  if (persist) void save(chat, (storage) => storage.put(chat.sessionId, records, drops));
  notify(chat);
}

/** A background request failed: shown in `error` (and `status`, when the Worker could not be reached). */
export function fail(chat: ChatContext, cause: unknown): void {
  const error = cause instanceof ChatError ? cause : new ChatError('network_error', String(cause));
  chat.error = error;
  chat.offline ||= error.code === 'network_error';
  notify(chat);
}

/**
 * Records from history or another tab, less the replies read here (ahead of any copy from elsewhere); those taken
 * replace any checkpoint's resume point.
 */
export function fromElsewhere(chat: ChatContext, records: readonly ChatMessage[]): ChatMessage[] {
  const taken = records.filter((m) => isFinalStatus(m.status) || !isReadHere(chat, m.replyTo));
  for (const m of taken) chat.resumePoints.delete(m.id);
  return taken;
}

/**
 * Forgets the conversation here (deleted on the Worker, by this page or elsewhere): `reason` says it went elsewhere
 * (it is the `send()`s' rejection and the snapshot's `error`); `tellTabs` tells this page's other tabs.
 */
export async function forgetConversation(chat: ChatContext, reason?: ChatError, tellTabs = true): Promise<void> {
  halt(chat);
  chat.messages.reset([]);
  chat.resumePoints.clear();
  chat.cursor = undefined;
  chat.error = reason;
  for (const userId of chat.waiters.keys()) settleWaiter(chat, userId, reason ?? new ChatError('conversation_deleted', 'deleted'));
  notify(chat);
  if (tellTabs) chat.channel?.post({ clear: true });
  await save(chat, (storage) => storage.drop(chat.sessionId));
  void touch(chat);
}
