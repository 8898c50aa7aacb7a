import type { AssistantModelMessage, ModelMessage as AiModelMessage, ToolModelMessage } from 'ai';
import type { ChatPart } from '../../sdk/protocol';
import type { ModelMessage } from './model-provider';

type AssistantPart = Exclude<AssistantModelMessage['content'], string>[number];
type ToolResult = Extract<ToolModelMessage['content'][number], { type: 'tool-result' }>;

/** What the AI SDK is given: the system prompts as its `instructions`, and the turns as its messages. */
export interface AiSdkPrompt {
  instructions: string | undefined;
  messages: AiModelMessage[];
}

/**
 * The conversation as AI SDK messages. An earlier assistant turn with parts becomes what the model itself produced:
 * per step, an assistant message with its text and tool calls, then a `tool` message with their results (an error
 * as `error-text`), so a follow-up question about a tool's answer reaches a model that sees the call and its
 * result. Reasoning is left out: providers take back only reasoning they signed themselves (Anthropic) or none at
 * all (OpenAI's chat completions), and it is not part of what the reply said. System turns become `instructions`,
 * where the AI SDK wants them.
 */
export function toAiSdkPrompt(messages: readonly ModelMessage[], instructions?: string): AiSdkPrompt {
  const system: string[] = instructions === undefined ? [] : [instructions];
  const out: AiModelMessage[] = [];
  for (const message of messages) {
    if (message.role === 'system') system.push(message.content);
    else if (message.role === 'user') out.push({ role: 'user', content: message.content });
    else if (message.parts === undefined) out.push({ role: 'assistant', content: message.content });
    else out.push(...assistantSteps(message.parts));
  }
  return { instructions: system.length > 0 ? system.join('\n\n') : undefined, messages: out };
}

/**
 * One assistant turn's parts as the steps the model took: text and calls, then the calls' results. A record does not
 * keep where a step began, only the order of its parts: a step ends where text or reasoning follows a tool, so calls
 * with nothing between them go back as one step of calls (as parallel calls are).
 */
function assistantSteps(parts: readonly ChatPart[]): AiModelMessage[] {
  const steps: AiModelMessage[] = [];
  let content: AssistantPart[] = [];
  let results: ToolResult[] = [];
  const endStep = () => {
    if (content.length > 0) steps.push({ role: 'assistant', content });
    if (results.length > 0) steps.push({ role: 'tool', content: results });
    content = [];
    results = [];
  };
  for (const part of parts) {
    if (part.type !== 'tool') {
      // Text or reasoning after tool results was written in the next step, once the model had read them.
      if (results.length > 0) endStep();
      if (part.type === 'text' && part.text.length > 0) content.push({ type: 'text', text: part.text });
      continue;
    }
    const { toolCallId, name: toolName } = part;
    content.push({ type: 'tool-call', toolCallId, toolName, input: part.input });
    results.push({
      type: 'tool-result',
      toolCallId,
      toolName,
      output:
        part.state === 'done'
          ? { type: 'json', value: part.output ?? null }
          : { type: 'error-text', value: part.error?.message ?? 'The tool did not finish' },
    });
  }
  endStep();
  return steps;
}
