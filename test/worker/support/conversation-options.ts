import type { ChatWorkerOptions } from '../../../worker/index';

let current: ChatWorkerOptions<Cloudflare.Env> | undefined;

/** The options the next `TestConversation` objects are built with (each test's sessions get fresh objects). */
export function useConversationOptions(options: ChatWorkerOptions<Cloudflare.Env>): void {
  current = options;
}

export function conversationOptions(): ChatWorkerOptions<Cloudflare.Env> {
  if (current === undefined) throw new Error('No conversation options: call useConversationOptions first');
  return current;
}
