import type { ErrorCode } from './protocol';

/** Codes the client itself raises, beside the Worker's {@link ErrorCode}s. */
export const CLIENT_ERROR_CODES = ['network_error', 'bad_response', 'stalled', 'closed'] as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

/** Every code a {@link ChatError} can carry. Branch on it, never on the message text. */
export type ChatErrorCode = ErrorCode | ClientErrorCode;

/**
 * The one error type the SDK throws or reports.
 *
 * @example
 * ```ts
 * try { await chat.send(text) } catch (e) { if (e instanceof ChatError && e.code === 'content_too_long') … }
 * ```
 */
export class ChatError extends Error {
  override readonly name = 'ChatError';
  /**
   * @param code - stable code: a Worker code from the response body, or a client code
   * @param message - human text
   * @param status - the HTTP status, when the error came from a response
   */
  constructor(
    readonly code: ChatErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}
