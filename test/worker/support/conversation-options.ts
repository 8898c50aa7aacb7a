import type { ConversationObjectOptions } from '../../../worker/index';

let current: ConversationObjectOptions<Cloudflare.Env> | undefined;

/** The options the next `TestConversation` objects are built with (each test's sessions get fresh objects). */
export function useConversationOptions(options: ConversationObjectOptions<Cloudflare.Env>): void {
  current = options;
}

export function conversationOptions(): ConversationObjectOptions<Cloudflare.Env> {
  if (current === undefined) throw new Error('No conversation options: call useConversationOptions first');
  return current;
}
