import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryable, retryAfterMs } from '../../sdk/backoff';

describe('backoffDelay (full jitter)', () => {
  it('spans [0, base·2^attempt) and is capped near a minute', () => {
    expect(backoffDelay(0, () => 0)).toBe(0);
    expect(backoffDelay(0, () => 0.999)).toBeCloseTo(99.9);
    expect(backoffDelay(3, () => 0.5)).toBe(400);
    expect(backoffDelay(30, () => 0.999)).toBeCloseTo(59_940);
    expect(backoffDelay(1_000, () => 1)).toBe(60_000);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('3', now)).toBe(3_000);
    expect(retryAfterMs('0', now)).toBe(0);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
  });
  it('treats a date in the past as now, and nonsense or absence as no advice', () => {
    expect(retryAfterMs('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
  });
});

describe('isRetryable', () => {
  it('retries 5xx, 408 and 429, never another 4xx', () => {
    for (const s of [500, 502, 503, 504, 408, 429]) expect(isRetryable(s)).toBe(true);
    for (const s of [400, 401, 403, 404, 409, 413, 415, 422]) expect(isRetryable(s)).toBe(false);
  });
});
