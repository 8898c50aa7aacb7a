import { createConversationClass } from './conversation/conversation-object';
import { createEnvWorker, optionsFromEnv, type ChatKeepEnv } from './env-worker';

/** `worker/index.ts`'s default export: what `wrangler dev` and `wrangler deploy` run. */
const worker = createEnvWorker();
export default worker;

/** The conversation object the deployable Worker binds as `CHAT_CONVERSATIONS`, configured from the same vars. */
export class ChatConversation extends createConversationClass<ChatKeepEnv>(optionsFromEnv) {}
