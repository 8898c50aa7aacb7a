/**
 * The one key function. The streaming endpoint writes through it and the history endpoint reads through it, so the
 * two can never drift apart. Ids are validated against `ID_PATTERN` before they get here, so neither part can hold
 * a `:` and reach another session's keys.
 */
export function messageKey(sessionId: string, messageId: string): string {
  return `${sessionPrefix(sessionId)}${messageId}`;
}

/** The full prefix, trailing `:` included, so listing `abc12345` never returns keys of `abc123456`. */
export function sessionPrefix(sessionId: string): string {
  return `message:${sessionId}:`;
}

/** The message id of a key listed under {@link sessionPrefix}. */
export function messageIdFromKey(sessionId: string, key: string): string {
  return key.slice(sessionPrefix(sessionId).length);
}
