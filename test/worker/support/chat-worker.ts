import { env } from 'cloudflare:workers';
import { createChatWorker, type ChatWorker, type ConversationObjectOptions } from '../../../worker/index';
import { useConversationOptions } from './conversation-options';

/**
 * The Worker as an app builds it, with its conversation objects (`TestConversation`) configured by the same options.
 * An object takes the options in use when its conversation is first reached: each test uses fresh session ids.
 */
export function chatWorker(options: ConversationObjectOptions<Cloudflare.Env> = {}): ChatWorker<Cloudflare.Env> {
  useConversationOptions(options);
  return createChatWorker({ ...options, conversations: env.TEST_CONVERSATIONS });
}
