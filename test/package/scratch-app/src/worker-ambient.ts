// A Worker project set up the usual way (the Workers types as ambient globals, no DOM): its own KVNamespace and
// ExecutionContext are accepted where chatkeep's typings name the imported ones.
import { createChatWorker, createConversationClass, createDemoModel, type ConversationObjectOptions } from 'chatkeep/worker';

interface Env {
  CHAT_KV: KVNamespace;
  CHAT_CONVERSATIONS: DurableObjectNamespace;
}

const options: ConversationObjectOptions<Env> = { model: createDemoModel(), kv: (env) => env.CHAT_KV };
const chat = createChatWorker<Env>({ ...options, conversations: (env) => env.CHAT_CONVERSATIONS });

export class ChatConversation extends createConversationClass<Env>(options) {}

export default {
  fetch: (request: Request, env: Env, ctx: ExecutionContext): Promise<Response> => chat.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
