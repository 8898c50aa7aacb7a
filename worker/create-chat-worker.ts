import { ROUTE } from '../sdk/protocol';
import type { ChatExecutionContext } from './cloudflare-types';
import { errorResponse } from './error-response';
import { HttpError } from './http-error';
import { callConversation } from './conversation/conversation-call';
import type { ChatWorkerEnv, ChatWorkerOptions } from './options';
import { ConfigurationError, MISSING_CONVERSATIONS_MESSAGE } from './resolve-options';
import { resolveChatOptions } from './resolve-chat-options';
import { authorizeSession, limitRate } from './routes/access';
import { parseChatRequest, parseStopRequest, requireSessionId } from './routes/chat-request';
import { corsHeaders, preflightResponse } from './routes/cors';
import { parseFollowRequest } from './routes/follow-request';
import { handleHistory, parseHistoryRequest } from './routes/history-route';
import { readJsonBody } from './routes/request-body';
import type { RouteContext } from './routes/route-context';
import { conversationsRoute, removeFromOwnerIndex, withRouteOwner } from './conversations/owner-routes';

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
 * `GET` and `DELETE {basePath}/history`. Each conversation is owned by its Durable Object (the `conversations`
 * binding, whose class is `createConversationClass` with the same options): every route that acts on a conversation
 * goes through it, and history is read from KV, where the object writes. Every other path under `basePath` is a
 * JSON 404; a wrong method is a JSON 405 with `Allow`.
 *
 * @example
 * ```ts
 * import { createChatWorker, createConversationClass, createOpenAiModel, type ConversationObjectOptions } from 'chatkeep/worker';
 *
 * const options: ConversationObjectOptions<Env> = {
 *   model: (env) => createOpenAiModel({ baseUrl: env.OPENAI_BASE_URL, apiKey: env.OPENAI_API_KEY, model: 'gpt-4o-mini' }),
 *   authorize: (request, sessionId, env) => sessionBelongsToUser(request, sessionId, env),
 * };
 * export class ChatConversation extends createConversationClass<Env>(options) {}
 * export default createChatWorker<Env>({ ...options, conversations: (env) => env.CHAT_CONVERSATIONS });
 * ```
 */
export function createChatWorker<E = ChatWorkerEnv>(options: ChatWorkerOptions<E>): ChatWorker<E> {
  // Checked here, not at the first request: a Worker built without its objects is a mistake in code, not in env.
  if (options?.conversations === undefined) throw new ConfigurationError(MISSING_CONVERSATIONS_MESSAGE);
  const resolved = resolveChatOptions(options);
  const { maxBodyBytes, maxContentChars } = resolved.limits;
  const routes: Record<string, Partial<Record<string, Handler<E>>>> = {
    [ROUTE.chat]: {
      POST: admitted(
        async ({ request }) => parseChatRequest(await readJsonBody(request, maxBodyBytes), maxContentChars),
        (route, turn) => callConversation(route, turn.sessionId, { op: 'chat', turn }),
        { rateLimited: true },
      ),
    },
    [ROUTE.chatStream]: {
      GET: admitted(
        ({ url, request }) => parseFollowRequest(url, request),
        (route, follow) => callConversation(route, follow.sessionId, { op: 'follow', ...follow }),
        { rateLimited: false },
      ),
    },
    [ROUTE.stop]: {
      POST: admitted(
        async ({ request }) => parseStopRequest(await readJsonBody(request, maxBodyBytes)),
        (route, stop) => callConversation(route, stop.sessionId, { op: 'stop', stop }),
        { rateLimited: true },
      ),
    },
    [ROUTE.history]: {
      GET: admitted(({ url }) => parseHistoryRequest(url), handleHistory, { rateLimited: false }),
      DELETE: admitted(
        ({ url }) => ({ sessionId: requireSessionId(url.searchParams.get('sessionId')) }),
        async (route, { sessionId }) => {
          const answer = await callConversation(route, sessionId, { op: 'delete', sessionId });
          // The owner's list drops the conversation once its records are gone.
          if (answer.ok) await removeFromOwnerIndex(route, sessionId);
          return answer;
        },
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
