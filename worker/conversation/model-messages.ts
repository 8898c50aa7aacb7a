import type { ChatMessage } from '../../sdk/protocol';
import type { ModelMessage } from '../providers/model-provider';

/** What the model is sent: the system prompt, the conversation so far as read from the store, the new turn. */
export function modelMessages(systemPrompt: string | undefined, history: ChatMessage[], turn: ChatMessage): ModelMessage[] {
  const messages: ModelMessage[] = systemPrompt === undefined ? [] : [{ role: 'system', content: systemPrompt }];
  for (const message of history) messages.push({ role: message.role, content: message.content });
  messages.push({ role: 'user', content: turn.content });
  return messages;
}
