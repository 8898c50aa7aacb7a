/**
 * The text an `aborted` record keeps: what the stopping client says it saw, but only as far as it agrees with what
 * the model produced. A stop can end a reply early; it can never put words in the assistant's mouth, which the
 * model would later read back as its own.
 *
 * @param claimed the stop request's `content`
 * @param produced the reply's text as the model wrote it
 * @returns the longest common prefix of the two, never ending inside a surrogate pair
 */
export function acceptedStopContent(claimed: string, produced: string): string {
  const limit = Math.min(claimed.length, produced.length);
  let length = 0;
  while (length < limit && claimed.charCodeAt(length) === produced.charCodeAt(length)) length++;
  if (length > 0 && length < produced.length && isHighSurrogate(produced.charCodeAt(length - 1))) length--;
  return produced.slice(0, length);
}

/**
 * The same rule where the text is known only up to the last checkpoint (a reply generated in another isolate of a
 * Worker without the conversation object): the claim must extend the checkpoint, and by no more than the content
 * limit, since no more can have been generated unseen between two checkpoints a second apart.
 */
export function acceptedStopContentAfterCheckpoint(claimed: string, checkpoint: string, maxExtensionChars: number): string {
  if (!claimed.startsWith(checkpoint)) return acceptedStopContent(claimed, checkpoint);
  let end = Math.min(claimed.length, checkpoint.length + maxExtensionChars);
  if (end < claimed.length && isHighSurrogate(claimed.charCodeAt(end - 1))) end--;
  return claimed.slice(0, end);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
