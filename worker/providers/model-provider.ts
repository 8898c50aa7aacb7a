import type { ChatPart, ErrorInfo, JSONValue } from '../../sdk/protocol';

/** One turn as a model sees it. */
export interface ModelMessage {
  role: 'system' | 'user' | 'assistant';
  /** The turn's text (of an assistant turn with parts: its text parts joined). */
  content: string;
  /**
   * Of an earlier assistant turn that had anything but text: its parts, so a provider that speaks tools can give
   * the model its earlier tool calls and results in its own message shape. A provider that does not may ignore
   * them and read `content`.
   */
  parts?: readonly ChatPart[];
}

/** A piece of the reply's text; a plain string means the same. */
export interface TextPiece {
  type: 'text';
  text: string;
}

/** A piece of the model's reasoning. */
export interface ReasoningPiece {
  type: 'reasoning';
  text: string;
}

/** The model called a tool. `toolCallId` is unique within the reply. */
export interface ToolCallPiece {
  type: 'tool-call';
  toolCallId: string;
  name: string;
  input: JSONValue;
}

/** A tool the model called finished: with its `output`, or with the `error` it failed with. */
export type ToolResultPiece =
  | { type: 'tool-result'; toolCallId: string; output: JSONValue; error?: undefined }
  | { type: 'tool-result'; toolCallId: string; error: ErrorInfo; output?: undefined };

/**
 * What a model yields: a string (text), or a structured piece. Consecutive text pieces make one text part of the
 * reply, consecutive reasoning pieces one reasoning part; a tool call opens a `running` tool part, which its
 * result, found by `toolCallId`, completes.
 */
export type ModelPiece = string | TextPiece | ReasoningPiece | ToolCallPiece | ToolResultPiece;

export interface ModelRequest {
  /** The conversation so far, oldest first, ending with the user turn to answer. */
  messages: ModelMessage[];
  /** Aborted when the reply is stopped or timed out; a provider stops reading and releases its connection. */
  signal: AbortSignal;
}

/**
 * A chat model: streams a reply as pieces — text (plain strings), and, for a model that has them, reasoning, tool
 * calls and tool results. Throwing {@link ModelError} ends the reply with status `error`, keeping what was streamed
 * so far.
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
  stream(request: ModelRequest): AsyncIterable<ModelPiece>;
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
