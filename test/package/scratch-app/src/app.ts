// An app with both halves in one project, checked by one tsconfig: the DOM lib for the browser, and the Workers
// types imported where the Worker names them (no ambient Workers globals, so nothing clashes with DOM). Its own
// KVNamespace and ExecutionContext are accepted where chatkeep's typings take a KV namespace and a context.
import type { DurableObjectNamespace, ExecutionContext, KVNamespace } from '@cloudflare/workers-types';
import { ChatClient, type ChatMessage } from 'chatkeep';
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
};

export async function greet(): Promise<ChatMessage> {
  const client = new ChatClient({ endpoint: '/api' });
  await client.ready;
  return client.send('Hello');
}
