import type { ErrorResponseBody } from '../sdk/protocol';
import { HttpError } from './http-error';
import { jsonResponse } from './json-response';
import { ClientAbortError } from './routes/request-body';

/** Seconds a client is told to wait after a 503 or 429 that did not say otherwise. */
const DEFAULT_RETRY_AFTER_SECONDS = 2;

/**
 * The one place a thrown value becomes a response: `{"error":{"code","message"}}`. Anything that is not an
 * {@link HttpError} is a bug or an outage, so the client gets a generic 500 and never the message or stack. A client
 * that hung up during its upload is logged as the {@link ClientAbortError} it is, beside its 400.
 */
export function errorResponse(error: unknown, log: (error: unknown) => void = console.error): Response {
  if (!(error instanceof HttpError)) {
    log(error);
    return jsonResponse(body('internal_error', 'Internal error'), 500);
  }
  const headers: Record<string, string> = { ...error.headers };
  if (error.status === 503 || error.status === 429 || error.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(error.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS);
  }
  if (error.status >= 500) log(error.cause ?? error);
  else if (error.cause instanceof ClientAbortError) log(error.cause);
  return jsonResponse(body(error.code, error.message), error.status, headers);
}

function body(code: string, message: string): ErrorResponseBody {
  return { error: { code, message } };
}
