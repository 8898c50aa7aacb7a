import { ID_MAX_LENGTH, REPLY_ID_SUFFIX } from '../../sdk/protocol';
import { base64url } from '../base64url';
import { HttpError } from '../http-error';

/**
 * Whether `id` is in the reply id space: every reply id ends with {@link REPLY_ID_SUFFIX}, and no user turn's id
 * may, so a reply can never be written over a user turn (no check-then-write race to lose).
 */
export function isReplyId(id: string): boolean {
  return id.endsWith(REPLY_ID_SUFFIX);
}

/** Refuses (400 `invalid_message_id`) a user turn's id that lies in the reply id space. */
export function requireUserTurnId(id: string, field = 'message.id'): string {
  if (isReplyId(id)) {
    throw new HttpError(400, 'invalid_message_id', `${field} may not end with "${REPLY_ID_SUFFIX}": such ids name replies`);
  }
  return id;
}

/**
 * The assistant turn's id, derived from the user turn's: a retry finds the reply by key without a lookup, and with
 * time-ordered user ids the reply's key sorts right after its question. Ids too long for the suffix are shortened
 * and disambiguated by a hash of the whole id; the suffix stays last, so every reply id is in the reply id space.
 */
export async function replyIdFor(userMessageId: string): Promise<string> {
  if (userMessageId.length + REPLY_ID_SUFFIX.length <= ID_MAX_LENGTH) return `${userMessageId}${REPLY_ID_SUFFIX}`;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(userMessageId)));
  const hash = base64url(digest.slice(0, 16));
  const head = userMessageId.slice(0, ID_MAX_LENGTH - REPLY_ID_SUFFIX.length - hash.length);
  return `${head}${hash}${REPLY_ID_SUFFIX}`;
}
