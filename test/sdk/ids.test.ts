import { describe, expect, it } from 'vitest';
import { makeSessionId, uuidv7 } from '../../sdk/ids';
import { isValidId, REPLY_ID_SUFFIX } from '../../sdk/protocol';

const UUID7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidv7', () => {
  it('is a valid UUIDv7 and a valid protocol id, never in the reply id space', () => {
    for (let i = 0; i < 200; i++) {
      const id = uuidv7();
      expect(id).toMatch(UUID7);
      expect(isValidId(id)).toBe(true);
      expect(id.endsWith(REPLY_ID_SUFFIX)).toBe(false);
    }
  });
  it('carries the time in its first 48 bits, so ids sort by creation time', () => {
    const t = Date.parse('2026-11-26T12:00:00.000Z');
    expect(parseInt(uuidv7(t).replace(/-/g, '').slice(0, 12), 16)).toBe(t);
    const ids = [t, t + 1, t + 1_000, t + 86_400_000].map((x) => uuidv7(x));
    expect([...ids].sort()).toEqual(ids);
  });
  it('sets version and variant whatever the random bytes', () => {
    expect(uuidv7(0, (b) => b.fill(255))).toMatch(UUID7);
    expect(uuidv7(0, (b) => b.fill(0))).toMatch(UUID7);
  });
});

describe('makeSessionId', () => {
  it('is 128 random bits as 32 hex characters, and a valid protocol id', () => {
    const ids = new Set(Array.from({ length: 500 }, () => makeSessionId()));
    expect(ids.size).toBe(500);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(isValidId(id)).toBe(true);
    }
  });
  it('uses every random byte it is given', () => {
    expect(makeSessionId((b) => b.map((_, i) => i))).toBe('000102030405060708090a0b0c0d0e0f');
  });
});
