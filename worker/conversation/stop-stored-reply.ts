import { isFinalStatus, type ChatMessage } from '../../sdk/protocol';
import { HttpError } from '../http-error';
import type { StopTurnRequest } from '../routes/chat-request';
import { canonical } from '../store/stored-message';
import { storageUnavailable, type SessionStore } from '../store/session-store';
import { partsForContent } from '../store/stale-streaming';
import { isoAfter } from '../store/timestamps';
import { acceptedStopContent, acceptedStopContentAfterCheckpoint } from './stop-content';

/** What {@link stopStoredReply} needs besides the request. */
export interface StopStoredReplyOptions {
  now: () => number;
  /** The longest extension of the last checkpoint a claim may add (the content limit). */
  maxExtensionChars: number;
  /** The reply's whole text so far, when this isolate is generating it. */
  producedText?: string;
  /** Called with the aborted record before it is written, so a generation in this isolate stops first. */
  beforeWrite?: (aborted: ChatMessage) => void;
}

/**
 * Stops a reply through its KV record: a `streaming` record becomes `aborted` with the text the user saw (as far as
 * the model produced it); a final record (`complete`, `error`, `aborted`) is answered unchanged and never rewritten.
 */
export async function stopStoredReply(
  store: SessionStore,
  stop: StopTurnRequest,
  options: StopStoredReplyOptions,
): Promise<ChatMessage> {
  let current: ChatMessage | undefined;
  try {
    current = await store.get(stop.messageId);
  } catch (cause) {
    throw storageUnavailable('The reply could not be read; try again', cause);
  }
  if (current === undefined || current.role !== 'assistant') {
    throw new HttpError(404, 'message_not_found', 'No reply with this id in this session');
  }
  // A stop that crosses the end of the reply (or any holder of the session id) must not replace the whole reply
  // with the text it sends: a final record never changes, and every client's merge lets it win.
  if (isFinalStatus(current.status)) return current;
  const content =
    options.producedText === undefined
      ? acceptedStopContentAfterCheckpoint(stop.content, current.content, options.maxExtensionChars)
      : acceptedStopContent(stop.content, options.producedText);
  const { error: _cleared, ...rest } = current;
  const aborted = canonical({
    ...rest,
    content,
    parts: current.parts && partsForContent(current.parts, content),
    status: 'aborted',
    updatedAt: isoAfter(options.now(), current.updatedAt ?? current.timestamp),
  });
  options.beforeWrite?.(aborted);
  try {
    await store.put(aborted);
  } catch (cause) {
    throw storageUnavailable('The stop could not be saved; try again', cause);
  }
  return aborted;
}
