/**
 * Full jitter (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/): a uniform wait in
 * `[0, min(capMs, baseMs·2^attempt))`, so many clients coming back at once spread out instead of retrying together.
 */
export const backoffDelay = (attempt: number, random: () => number = Math.random, baseMs = 100, capMs = 60_000): number =>
  random() * Math.min(capMs, baseMs * 2 ** attempt);

/** A `Retry-After` header (seconds or an HTTP date) as milliseconds from `now`; `undefined` when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  const ms = value ? (+value >= 0 ? +value * 1000 : Date.parse(value) - now) : NaN;
  return ms > 0 ? ms : ms <= 0 ? 0 : undefined;
}

/** A 4xx other than 408/429 says the request itself is wrong: sending it again cannot help. */
export const isRetryable = (status: number): boolean => status > 499 || status === 408 || status === 429;
