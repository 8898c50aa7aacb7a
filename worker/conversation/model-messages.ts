import type { ChatMessage } from '../../sdk/protocol';
import type { ModelMessage } from '../providers/model-provider';

/** What the model is sent: the system prompt, the conversation so far as read from the store, the new turn. */
export function modelMessages(systemPrompt: string | undefined, history: ChatMessage[], turn: ChatMessage): ModelMessage[] {
  const messages: ModelMessage[] = systemPrompt === undefined ? [] : [{ role: 'system', content: systemPrompt }];
  for (const message of history) {
    // Earlier tool calls and results go to the model too, so a follow-up about a tool's answer works.
    messages.push(message.parts === undefined ? { role: message.role, content: message.content } : { role: message.role, content: message.content, parts: message.parts });
  }
  messages.push({ role: 'user', content: turn.content });
  return messages;
}
