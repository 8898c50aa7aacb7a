import type { ChatPart } from '../../sdk/protocol';
import type { ModelMessage } from './model-provider';

/** A tool call as chat completions carry it: the arguments as a JSON string. */
interface OpenAiToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A message of the chat-completions `messages` array. */
export type OpenAiMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: OpenAiToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

/**
 * The conversation as chat-completions messages: each turn as `{ role, content }` and nothing else (strict servers
 * refuse fields they do not know), and an earlier assistant turn with tool parts as the model produced it: per
 * step, an assistant message with its text and `tool_calls`, then one `tool` message per result (an error as its
 * message), so a follow-up question about a tool's answer reaches a model that sees the call and its result.
 * Reasoning is left out: chat completions take none back.
 */
export function toOpenAiMessages(messages: readonly ModelMessage[]): OpenAiMessage[] {
  const out: OpenAiMessage[] = [];
  for (const message of messages) {
    if (message.role !== 'assistant') out.push({ role: message.role, content: message.content });
    else if (message.parts?.some((part) => part.type === 'tool')) out.push(...assistantSteps(message.parts));
    else out.push({ role: 'assistant', content: message.content });
  }
  return out;
}

/**
 * One assistant turn's parts as steps. A record keeps the order of its parts, not where each step began: a step
 * ends where text or reasoning follows a tool result, so calls with nothing between them go back as one step (as parallel calls).
 */
function assistantSteps(parts: readonly ChatPart[]): OpenAiMessage[] {
  const steps: OpenAiMessage[] = [];
  let text = '';
  let calls: OpenAiToolCall[] = [];
  let results: OpenAiMessage[] = [];
  const endStep = () => {
    if (text.length > 0 || calls.length > 0)
      steps.push({ role: 'assistant', content: text.length > 0 ? text : null, ...(calls.length > 0 && { tool_calls: calls }) });
    steps.push(...results);
    text = '';
    calls = [];
    results = [];
  };
  for (const part of parts) {
    if (part.type !== 'tool') {
      // Text or reasoning after tool results was written in the next step, once the model had read them.
      if (results.length > 0) endStep();
      if (part.type === 'text') text += part.text;
      continue;
    }
    calls.push({ id: part.toolCallId, type: 'function', function: { name: part.name, arguments: JSON.stringify(part.input) } });
    const content = part.state === 'done' ? JSON.stringify(part.output ?? null) : (part.error?.message ?? 'The tool did not finish');
    results.push({ role: 'tool', tool_call_id: part.toolCallId, content });
  }
  endStep();
  return steps;
}
