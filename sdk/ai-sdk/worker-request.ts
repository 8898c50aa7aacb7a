import { ChatError, DEFAULT_BASE_PATH, type ChatErrorCode, type Fetch } from '../index';
import type { ErrorResponseBody } from '../protocol';

/**
 * Where and how the Worker is reached.
 *
 * @example
 * ```ts
 * const access: WorkerAccess = { endpoint: 'https://chat.example.com/api', headers: { authorization: `Bearer ${token}` } };
 * ```
 */
export interface WorkerAccess {
  /**
   * The Worker's base URL (its base path).
   * @defaultValue `'/api'`
   */
  endpoint?: string;
  /**
   * Makes every HTTP request; pass one in to add credentials or a test double.
   * @defaultValue the global `fetch`
   */
  fetch?: Fetch;
  /**
   * Headers sent with every request (e.g. the app's auth), beside those `useChat` passes per request.
   * @defaultValue none
   */
  headers?: Record<string, string>;
}

/**
 * Makes one request to a route of the Worker. Resolves with a 2xx answer; rejects with a `ChatError` carrying the
 * Worker's code (or `network_error`), except for the statuses in `allow`, which resolve too.
 */
export async function requestWorker(
  access: WorkerAccess,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal },
  allow: readonly number[] = [],
): Promise<Response> {
  const endpoint = (access.endpoint ?? DEFAULT_BASE_PATH).replace(/\/$/, '');
  const doFetch: Fetch = access.fetch ?? ((input, requestInit) => fetch(input, requestInit));
  const headers: Record<string, string> = { ...access.headers, ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await doFetch(`${endpoint}${path}`, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
    });
  } catch (error) {
    // An abort stays an AbortError: callers (and useChat) tell a stop from a failure by it.
    if (init.signal?.aborted) throw error;
    throw new ChatError('network_error', String(error));
  }
  if (response.ok || allow.includes(response.status)) return response;
  // Not sdk/http.ts's `responseError`: it would bundle a second ChatError class here, and apps test `instanceof` the
  // one `chatkeep` exports.
  const failure = ((await response.json().catch(() => undefined)) as Partial<ErrorResponseBody> | undefined)?.error;
  throw new ChatError((failure?.code ?? 'bad_response') as ChatErrorCode, failure?.message ?? response.statusText, response.status);
}
