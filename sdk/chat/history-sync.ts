import { ChatError } from '../errors';
import { fetchHistory, type HistoryRead } from '../history';
import { merge } from '../merge';
import type { ChatContext } from './chat-context';
import { fail, fromElsewhere, notify, show, touch } from './chat-view';

/** Reads history and merges it, one read at a time; resolves with the read, or `undefined` when it failed. */
export const syncHistory = (chat: ChatContext): Promise<HistoryRead | undefined> =>
  (chat.syncing ??= (async () => {
    await chat.ready;
    notify(chat);
    let read: HistoryRead | undefined;
    try {
      read = await fetchHistory(chat.fetcher, chat.endpoint, chat.sessionId, chat.cursor);
      chat.offline = false;
      chat.error = read.rejected ? new ChatError('bad_response', 'malformed records') : undefined;
      const { writes, drops } = merge(chat.messages.map, read, chat.now());
      // A reply this page reads itself is ahead of any checkpoint.
      show(chat, fromElsewhere(chat, writes), drops);
      chat.cursor = read.cursor;
      void touch(chat);
    } catch (cause) {
      fail(chat, cause);
    }
    chat.syncing = undefined;
    notify(chat);
    return read;
  })());
