/** Unpadded base64url (RFC 4648 §5), as tokens and ids carry bytes. */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The bytes of an unpadded base64url text, or `undefined` unless the text is their canonical encoding: a last
 * character with stray low bits decodes to the same bytes, so accepting it would let anyone make a second valid
 * spelling of a token (a signature is then malleable).
 */
export function fromBase64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  let bytes: Uint8Array;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
  return base64url(bytes) === text ? bytes : undefined;
}
