import type { ErrorCode } from '../sdk/protocol';

/** Options for {@link HttpError} beyond its status, code and message. */
export interface HttpErrorOptions {
  /** Seconds a client should wait before retrying; sent as `Retry-After` (503 and 429 always carry one). */
  retryAfterSeconds?: number;
  /** Extra response headers, e.g. `Allow` on a 405. */
  headers?: Record<string, string>;
  /** The underlying failure, kept for logs and never sent to the client. */
  cause?: unknown;
}

/**
 * An error that knows the HTTP response it becomes. Routes throw it; one handler ({@link errorResponse}) turns it
 * (and anything else thrown) into the JSON error body, so no route builds error responses by hand.
 *
 * @example
 * ```ts
 * throw new HttpError(403, 'forbidden', 'This session belongs to another user');
 * ```
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  readonly code: ErrorCode;
  readonly retryAfterSeconds: number | undefined;
  readonly headers: Record<string, string>;

  constructor(status: number, code: ErrorCode, message: string, options: HttpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.headers = options.headers ?? {};
  }
}
