import type { ErrorInfo } from './protocol';

/** A value JSON can carry: what a tool takes as input and gives as output. */
export type JSONValue = null | string | number | boolean | JSONValue[] | { [key: string]: JSONValue };

/** Text the reply shows; consecutive text deltas extend one text part. */
export interface TextPart {
  type: 'text';
  text: string;
}

/** The model's reasoning before (or between) what it says; consecutive reasoning events extend one part. */
export interface ReasoningPart {
  type: 'reasoning';
  text: string;
}

/** `running` from the call until the result; then `done` (with `output`) or `error` (with `error`). */
export const TOOL_STATES = ['running', 'done', 'error'] as const;
export type ToolState = (typeof TOOL_STATES)[number];

/** A tool call and, once it finished, its result. */
export interface ToolPart {
  type: 'tool';
  /** Unique within the reply: the `tool-result` event names its call by it. */
  toolCallId: string;
  /** The tool's name, as the model called it. */
  name: string;
  input: JSONValue;
  state: ToolState;
  /** Set when `state` is `done`. */
  output?: JSONValue;
  /** Set when `state` is `error`; its code is one of {@link TOOL_ERROR_CODES} from chatkeep's Worker. */
  error?: ErrorInfo;
}

/** One part of a reply. */
export type ChatPart = TextPart | ReasoningPart | ToolPart;

/**
 * A tool's `input` and `output` are JSON values of at most this many bytes (UTF-8 of their JSON text) each: a
 * larger one makes the part `error`, code `tool_output_too_large`, so one tool cannot swell a record past what KV
 * and every tab's cache hold comfortably.
 */
export const MAX_TOOL_JSON_BYTES = 64 * 1024;

/**
 * The codes a tool part's `error` carries: the tool threw (`tool_error`), its input or output was over
 * {@link MAX_TOOL_JSON_BYTES} (`tool_output_too_large`), or the reply was stopped while it ran (`aborted`). They
 * describe one part, never a response, so they are not among the {@link ERROR_CODES}.
 */
export const TOOL_ERROR_CODES = ['tool_error', 'tool_output_too_large', 'aborted'] as const;
export type ToolErrorCode = (typeof TOOL_ERROR_CODES)[number];
