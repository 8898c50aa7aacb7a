import { HttpError } from '../http-error';

const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS headers for this request, or a 403 for a cross-origin caller not in `allowed`. Same-origin requests (which
 * browsers also mark with `Origin` on POST) and requests without `Origin` (curl, servers) need no headers.
 */
export function corsHeaders(request: Request, url: URL, allowed: readonly string[] | '*'): Record<string, string> {
  const origin = request.headers.get('origin');
  if (origin === null || origin === url.origin) return {};
  if (allowed !== '*' && !allowed.includes(origin)) {
    throw new HttpError(403, 'origin_not_allowed', `Origin ${origin} may not call this API`);
  }
  return {
    'access-control-allow-origin': allowed === '*' ? '*' : origin,
    'access-control-expose-headers': 'retry-after',
    vary: 'Origin',
  };
}

/** The answer to an `OPTIONS` preflight from an allowed origin. */
export function preflightResponse(headers: Record<string, string>, allow: readonly string[]): Response {
  return new Response(null, {
    status: 204,
    headers: {
      ...headers,
      'access-control-allow-methods': allow.join(', '),
      'access-control-allow-headers': 'content-type, authorization, last-event-id',
      'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
    },
  });
}
