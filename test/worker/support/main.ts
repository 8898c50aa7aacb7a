/**
 * The worker test project's main module: the deployable Worker's exports, plus a conversation object whose options
 * each test chooses (a scripted model, an instrumented KV). The tests and every object run in one isolate, so the
 * object reads the options the running test set (see `useConversationOptions`).
 */
import { createConversationClass } from '../../../worker/index';
import { conversationOptions } from './conversation-options';

export * from '../../../worker/index';
export { default } from '../../../worker/index';

export class TestConversation extends createConversationClass<Cloudflare.Env>(() => conversationOptions()) {}
