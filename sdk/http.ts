import { ChatError, type ChatErrorCode } from './errors';
import type { ErrorResponseBody } from './protocol';

/** `fetch` as the client calls it; pass one in to add headers, auth or a test double. */
export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** A failed response as a {@link ChatError} carrying the Worker's code and the status. */
export async function responseError(res: Response): Promise<ChatError> {
  const e = ((await res.json().catch(() => 0)) as Partial<ErrorResponseBody>).error;
  return new ChatError((e?.code ?? 'bad_response') as ChatErrorCode, e?.message ?? res.statusText, res.status);
}

/** Calls `fetch`, turning a rejection (offline, DNS, reset) into a `network_error` ChatError. */
export const request = (f: Fetch, url: string, init?: RequestInit): Promise<Response> =>
  f(url, init).catch((e: unknown) => {
    throw new ChatError('network_error', String(e));
  });

/** Fetches JSON, or throws a {@link ChatError}. `body` makes it a JSON POST. */
export async function fetchJSON<T>(f: Fetch, url: string, body?: unknown, init?: RequestInit): Promise<T> {
  const res = await request(f, url, body ? jsonPost(body) : init);
  if (!res.ok) throw await responseError(res);
  return res.json().catch(() => {
    throw new ChatError('bad_response', 'not JSON');
  }) as Promise<T>;
}

export const jsonPost = (body: unknown, signal?: AbortSignal): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
  signal,
});
