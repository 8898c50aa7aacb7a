// A Worker project set up the usual way (the Workers types as ambient globals, no DOM): its own KVNamespace and
// ExecutionContext are accepted where chatkeep's typings name the imported ones.
import { createChatWorker, createDemoModel } from 'chatkeep/worker';

interface Env {
  CHAT_KV: KVNamespace;
}

const chat = createChatWorker<Env>({ model: createDemoModel(), kv: (env) => env.CHAT_KV });

export default {
  fetch: (request: Request, env: Env, ctx: ExecutionContext): Promise<Response> => chat.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
