import { ROUTE } from '../sdk/protocol';
import type { ChatExecutionContext } from './cloudflare-types';
import { errorResponse } from './error-response';
import { HttpError } from './http-error';
import type { ChatWorkerEnv, ChatWorkerOptions } from './options';
import { resolveChatOptions } from './resolve-chat-options';
import { authorizeSession, limitRate } from './routes/access';
import { parseChatRequest, parseStopRequest, requireSessionId } from './routes/chat-request';
import { handleChat } from './routes/chat-route';
import { corsHeaders, preflightResponse } from './routes/cors';
import { handleDelete } from './routes/delete-route';
import { handleHistory, parseHistoryRequest } from './routes/history-route';
import { readJsonBody } from './routes/request-body';
import type { RouteContext } from './routes/route-context';
import { handleStop } from './routes/stop-route';
import { conversationsRoute, withRouteOwner } from './conversations/owner-routes';
import { handleFollow, parseFollowRequest } from './routes/stream-route';

type Handler<E> = (route: RouteContext<E>) => Promise<Response>;

/**
 * A route whose request names a session: parsed and validated first (a bad request writes nothing), then the
 * session is authorized and, where `rateLimited`, counted, and only then does the route run — so no route can
 * forget either check.
 */
function admitted<E, I extends { sessionId: string }>(
  parse: (route: RouteContext<E>) => I | Promise<I>,
  handle: (route: RouteContext<E>, input: I) => Promise<Response>,
  { rateLimited }: { rateLimited: boolean },
): Handler<E> {
  return async (given) => {
    const route = await withRouteOwner(given);
    const input = await parse(route);
    await authorizeSession(route, input.sessionId);
    if (rateLimited) await limitRate(route, input.sessionId);
    return handle(route, input);
  };
}

/** The handler `createChatWorker` returns: mount it as a Worker's default export or call it from your own. */
export interface ChatWorker<E> {
  fetch(request: Request, env: E, ctx: ChatExecutionContext): Promise<Response>;
}

/**
 * Builds the chatkeep Worker: `POST {basePath}/chat`, `GET {basePath}/chat/stream`, `POST {basePath}/chat/stop`,
 * `GET` and `DELETE {basePath}/history`. With the `conversations` option, each conversation's replies are run by its
 * Durable Object (export the class from `createConversationClass` with the same options). Every other path under `basePath` is a JSON 404; a wrong method is a JSON 405 with `Allow`.
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
  const resolved = resolveChatOptions(options);
  const { maxBodyBytes, maxContentChars } = resolved.limits;
  const routes: Record<string, Partial<Record<string, Handler<E>>>> = {
    [ROUTE.chat]: {
      POST: admitted(
        async ({ request }) => parseChatRequest(await readJsonBody(request, maxBodyBytes), maxContentChars),
        handleChat,
        { rateLimited: true },
      ),
    },
    [ROUTE.chatStream]: {
      GET: admitted(({ url, request }) => parseFollowRequest(url, request), handleFollow, { rateLimited: false }),
    },
    [ROUTE.stop]: {
      POST: admitted(async ({ request }) => parseStopRequest(await readJsonBody(request, maxBodyBytes)), handleStop, {
        rateLimited: true,
      }),
    },
    [ROUTE.history]: {
      GET: admitted(({ url }) => parseHistoryRequest(url), handleHistory, { rateLimited: false }),
      DELETE: admitted(
        ({ url }) => ({ sessionId: requireSessionId(url.searchParams.get('sessionId')) }),
        (route, { sessionId }) => handleDelete(route, sessionId),
        { rateLimited: true },
      ),
    },
    [ROUTE.conversations]: { GET: conversationsRoute, PATCH: conversationsRoute },
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
