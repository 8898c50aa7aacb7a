import { HttpError } from '../http-error';
import type { RouteContext } from './route-context';

/** Seconds a rate-limited client is told to wait. */
const RATE_LIMIT_RETRY_AFTER_SECONDS = 10;

/** Runs the app's `authorize` hook: `false` is 403; a thrown `HttpError` is answered as it is. */
export async function authorizeSession<E>(route: RouteContext<E>, sessionId: string): Promise<void> {
  const authorize = route.options.authorize;
  if (authorize === undefined) return;
  const result = await authorize(route.request, sessionId, route.env);
  if (result === false) throw new HttpError(403, 'forbidden', 'This session may not be used by this request');
}

/** Applies the rate limiter, if one is configured. */
export async function limitRate<E>(route: RouteContext<E>, sessionId: string): Promise<void> {
  const limiter = route.options.rateLimiter(route.env);
  if (limiter === undefined) return;
  const { success } = await limiter.limit({ key: route.options.rateLimitKey(route.request, sessionId) });
  if (!success) {
    throw new HttpError(429, 'rate_limited', 'Too many requests; try again later', {
      retryAfterSeconds: RATE_LIMIT_RETRY_AFTER_SECONDS,
    });
  }
}
