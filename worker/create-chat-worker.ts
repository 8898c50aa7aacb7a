import { ROUTE } from '../sdk/protocol';
import { handleChat } from './routes/chat-route';
import { corsHeaders, preflightResponse } from './routes/cors';
import { handleDelete } from './routes/delete-route';
import { errorResponse } from './error-response';
import { handleHistory } from './routes/history-route';
import { HttpError } from './http-error';
import { resolveOptions, type ChatWorkerEnv, type ChatWorkerOptions } from './options';
import { createDemoModel } from './providers/demo-model';
import type { RouteContext } from './routes/route-context';
import { handleStop } from './routes/stop-route';
import { uuidV7 } from './uuid-v7';

type Handler<E> = (route: RouteContext<E>) => Promise<Response>;

/** The handler `createChatWorker` returns: mount it as a Worker's default export or call it from your own. */
export interface ChatWorker<E> {
  fetch(request: Request, env: E, ctx: ExecutionContext): Promise<Response>;
}

/**
 * Builds the chatkeep Worker: `POST {basePath}/chat`, `POST {basePath}/chat/stop`, `GET` and `DELETE
 * {basePath}/history`. Every other path under `basePath` is a JSON 404; a wrong method is a JSON 405 with `Allow`.
 *
 * @example
 * ```ts
 * import { createChatWorker, createOpenAiModel } from 'chatkeep/worker';
 *
 * const chat = createChatWorker<Env>({
 *   model: (env) => createOpenAiModel({ baseUrl: env.OPENAI_BASE_URL, apiKey: env.OPENAI_API_KEY, model: 'gpt-4o-mini' }),
 *   authorize: (request, sessionId, env) => sessionBelongsToUser(request, sessionId, env),
 * });
 * export default chat;
 * ```
 */
export function createChatWorker<E = ChatWorkerEnv>(options: ChatWorkerOptions<E> = {}): ChatWorker<E> {
  const resolved = resolveOptions(options, {
    model: () => createDemoModel(),
    newId: (now) => () => uuidV7(now()),
  });
  const routes: Record<string, Partial<Record<string, Handler<E>>>> = {
    [ROUTE.chat]: { POST: handleChat },
    [ROUTE.stop]: { POST: handleStop },
    [ROUTE.history]: { GET: handleHistory, DELETE: handleDelete },
  };

  return {
    async fetch(request, env, ctx) {
      const url = new URL(request.url);
      let cors: Record<string, string> = {};
      try {
        cors = corsHeaders(request, url, resolved.corsOrigins);
        const path = url.pathname.startsWith(`${resolved.basePath}/`) ? url.pathname.slice(resolved.basePath.length) : undefined;
        const methods = path === undefined ? undefined : routes[path];
        if (methods === undefined) throw new HttpError(404, 'not_found', `No route for ${url.pathname}`);
        const allow = Object.keys(methods);
        if (request.method === 'OPTIONS') return preflightResponse(cors, [...allow, 'OPTIONS']);
        const handler = methods[request.method];
        if (handler === undefined) {
          throw new HttpError(405, 'method_not_allowed', `${request.method} is not allowed here`, {
            headers: { allow: [...allow, 'OPTIONS'].join(', ') },
          });
        }
        return withHeaders(await handler({ request, url, env, ctx, options: resolved }), cors);
      } catch (error) {
        return withHeaders(errorResponse(error, resolved.log), cors);
      }
    },
  };
}

function withHeaders(response: Response, headers: Record<string, string>): Response {
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}
