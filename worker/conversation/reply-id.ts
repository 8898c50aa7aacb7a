import { ID_MAX_LENGTH } from '../../sdk/protocol';

const SUFFIX = '_r';

/**
 * The assistant turn's id, derived from the user turn's: a retry finds the reply by key without a lookup, and with
 * time-ordered user ids the reply's key sorts right after its question. Ids too long for the suffix are shortened
 * and disambiguated by a hash of the whole id.
 */
export async function replyIdFor(userMessageId: string): Promise<string> {
  if (userMessageId.length + SUFFIX.length <= ID_MAX_LENGTH) return `${userMessageId}${SUFFIX}`;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(userMessageId)));
  const hash = btoa(String.fromCharCode(...digest.slice(0, 16)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  const head = userMessageId.slice(0, ID_MAX_LENGTH - SUFFIX.length - hash.length);
  return `${head}${SUFFIX}${hash}`;
}
