import { APICallError, isStepCount, streamText, type LanguageModel, type StopCondition, type ToolSet } from 'ai';
import type { JSONValue } from '../../sdk/protocol';
import { toAiSdkPrompt } from './ai-sdk-messages';
import { ModelError, type ModelPiece, type ModelProvider } from './model-provider';

/** The `streamText` options chatkeep passes through as they are. */
type StreamTextSettings<TOOLS extends ToolSet> = Pick<
  Parameters<typeof streamText<TOOLS>>[0],
  | 'toolChoice'
  | 'activeTools'
  | 'prepareStep'
  | 'providerOptions'
  | 'maxRetries'
  | 'headers'
  | 'temperature'
  | 'topP'
  | 'topK'
  | 'maxOutputTokens'
  | 'stopSequences'
  | 'seed'
  | 'presencePenalty'
  | 'frequencyPenalty'
>;

/**
 * Options for {@link aiSdkModel}: an AI SDK language model, its tools, and `streamText` settings passed through
 * (`toolChoice`, `activeTools`, `prepareStep`, `providerOptions`, `maxRetries`, `headers`, `temperature`, `topP`,
 * `topK`, `maxOutputTokens`, `stopSequences`, `seed`, `presencePenalty`, `frequencyPenalty`, each with the AI SDK's
 * default).
 */
export interface AiSdkModelOptions<TOOLS extends ToolSet = ToolSet> extends StreamTextSettings<TOOLS> {
  /** Any AI SDK language model: `openai('gpt-…')`, `anthropic('claude-…')`, `createWorkersAI({ binding })('@cf/…')`. */
  model: LanguageModel;
  /**
   * The tools the model may call. A tool with `execute` runs inside the conversation object, as part of the reply;
   * its result (or the error it throws) becomes the tool part's output (or error) and goes back to the model.
   * @defaultValue none
   */
  tools?: TOOLS;
  /**
   * When the tool loop ends, after a step with tool results (the AI SDK's own default, one step, would end the reply
   * at the first tool call without an answer).
   * @defaultValue `isStepCount(5)`
   */
  stopWhen?: StopCondition<NoInfer<TOOLS>> | StopCondition<NoInfer<TOOLS>>[];
  /**
   * Instructions given before the conversation's own system prompt.
   * @defaultValue none
   */
  instructions?: string;
  /**
   * The provider's name, as chatkeep reports it.
   * @defaultValue `'ai-sdk'`
   */
  name?: string;
}

export const DEFAULT_AI_SDK_MAX_STEPS = 5;

/**
 * A {@link ModelProvider} that runs any AI SDK language model through `streamText`, with its tool loop: text,
 * reasoning, tool calls and tool results stream as chatkeep's parts, and a conversation's earlier tool calls and
 * results go back to the model as its own tool messages. A tool that throws becomes an `error` tool part (code
 * `tool_error`) and the model goes on, as the AI SDK does; a model that fails ends the reply with `model_error`.
 *
 * @example
 * ```ts
 * import { aiSdkModel } from 'chatkeep/worker/ai-sdk';
 * import { tool } from 'ai';
 * import { z } from 'zod';
 *
 * const model = aiSdkModel({
 *   model: openai('gpt-5-mini'),
 *   tools: {
 *     weather: tool({ inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => ({ city, celsius: 21 }) }),
 *   },
 * });
 * createChatWorker({ model, kv: (env) => env.CHAT_KV, conversations: (env) => env.CHAT_CONVERSATIONS });
 * ```
 */
export function aiSdkModel<TOOLS extends ToolSet = ToolSet>(options: AiSdkModelOptions<TOOLS>): ModelProvider {
  const { model, tools, stopWhen, instructions, name = 'ai-sdk', ...settings } = options;
  return {
    name,
    async *stream({ messages, signal }): AsyncGenerator<ModelPiece> {
      const prompt = toAiSdkPrompt(messages, instructions);
      let failure: unknown;
      const result = streamText<TOOLS>({
        ...settings,
        model,
        ...(tools && { tools }),
        stopWhen: stopWhen ?? isStepCount(DEFAULT_AI_SDK_MAX_STEPS),
        ...(prompt.instructions !== undefined && { instructions: prompt.instructions }),
        messages: prompt.messages,
        abortSignal: signal,
        // The error ends the reply as a ModelError below; the AI SDK's default would also print it.
        onError: ({ error }) => {
          failure ??= error;
        },
      });
      for await (const part of result.fullStream) {
        switch (part.type) {
          case 'text-delta':
            if (part.text) yield part.text;
            break;
          case 'reasoning-delta':
            if (part.text) yield { type: 'reasoning', text: part.text };
            break;
          case 'tool-call':
            // The input is parsed from the model's JSON; ReplyParts measures it and keeps its JSON value.
            yield { type: 'tool-call', toolCallId: part.toolCallId, name: part.toolName, input: part.input as JSONValue };
            break;
          case 'tool-result':
            // A preliminary result (a tool streaming its output) is not its answer yet.
            if (!part.preliminary) yield { type: 'tool-result', toolCallId: part.toolCallId, output: part.output as JSONValue };
            break;
          case 'tool-error':
            yield { type: 'tool-result', toolCallId: part.toolCallId, error: { code: 'tool_error', message: errorMessage(part.error) } };
            break;
          case 'tool-output-denied':
            yield { type: 'tool-result', toolCallId: part.toolCallId, error: { code: 'tool_error', message: 'The tool call was denied' } };
            break;
          case 'error':
            throw modelError(part.error);
          case 'abort':
            return;
        }
      }
      if (failure !== undefined && !signal.aborted) throw modelError(failure);
    },
  };
}

/** The error's message, for a tool part a person reads. */
function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === 'string' ? error : 'The tool failed';
}

/**
 * A failed model call as a {@link ModelError}. The message names the endpoint's status, not the provider's own
 * message, which may quote the request: the reply's record shows it to every reader of the conversation.
 */
function modelError(error: unknown): ModelError {
  if (error instanceof ModelError) return error;
  const message = APICallError.isInstance(error) && error.statusCode !== undefined ? `The model endpoint answered ${error.statusCode}` : 'The model failed';
  return new ModelError('model_error', message, { cause: error });
}
