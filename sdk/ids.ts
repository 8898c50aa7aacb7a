/** Fills a byte array with secure random bytes. */
export type RandomBytes = (bytes: Uint8Array) => Uint8Array;

const secureRandom: RandomBytes = (b) => crypto.getRandomValues(b);
const hex = (bytes: number, random: RandomBytes): string =>
  random(new Uint8Array(bytes)).reduce((s, x) => s + (x | 256).toString(16).slice(1), '');

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits, so ids sort by creation time.
 *
 * @example
 * ```ts
 * uuidv7(); // '019ac1b2-3c4d-7e5f-8a6b-1c2d3e4f5a6b'
 * ```
 */
export function uuidv7(now: number = Date.now(), random: RandomBytes = secureRandom): string {
  const h = now.toString(16).padStart(12, '0') + hex(10, random);
  // Version nibble 7 at hex 12, variant bits 10 at hex 16.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-7${h.slice(13, 16)}-${(8 | (parseInt(h[16]!, 16) & 3)).toString(16)}${h.slice(17, 20)}-${h.slice(20)}`;
}

/**
 * A new session id: 128 random bits as 32 hex characters. Whoever knows a session id may read and write that
 * conversation, so it must be unguessable (at least 122 random bits).
 *
 * @example
 * ```ts
 * new ChatClient({ endpoint: '/api', sessionId: makeSessionId() });
 * ```
 */
export const makeSessionId = (random: RandomBytes = secureRandom): string => hex(16, random);
