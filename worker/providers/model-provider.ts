/** One turn as a model sees it. */
export interface ModelMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ModelRequest {
  /** The conversation so far, oldest first, ending with the user turn to answer. */
  messages: ModelMessage[];
  /** Aborted when the reply is stopped or timed out; a provider stops reading and releases its connection. */
  signal: AbortSignal;
}

/**
 * A chat model: streams a reply as text pieces. Throwing {@link ModelError} ends the reply with status `error`,
 * keeping what was streamed so far.
 *
 * @example
 * ```ts
 * const echo: ModelProvider = {
 *   name: 'echo',
 *   async *stream({ messages }) {
 *     yield messages.at(-1)?.content ?? '';
 *   },
 * };
 * ```
 */
export interface ModelProvider {
  readonly name: string;
  stream(request: ModelRequest): AsyncIterable<string>;
}

export type ModelErrorCode = 'model_error' | 'model_timeout';

/** A model that failed or fell silent; `code` becomes the `error` event's code. */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  readonly code: ModelErrorCode;

  constructor(code: ModelErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
