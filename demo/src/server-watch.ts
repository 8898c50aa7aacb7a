/**
 * The `fetch` the demo hands its ChatClient. The client retries a 503 or 429 quietly (it is right to: the turn is
 * safe in the outbox), which leaves a person looking at "Waiting to send" with no idea why; this wrapper reads the
 * Worker's JSON error from such answers so the page can say what the server said. It also keeps an offline browser
 * from retrying into the void: each attempt would fail, and each failure is a red line in the console. While the
 * browser says it is offline, one request in a while still goes out, because "offline" only means no network
 * interface is up, and a server on this machine (`npm start` on a laptop with Wi-Fi off) answers all the same; once
 * one does, requests flow until one fails. The client goes again at once on the `online` event.
 */
import type { Fetch } from 'chatkeep';
import { isRetryable } from '../../sdk/backoff';

/** A server answer that means "not now": the client will retry it. */
export interface ServerProblem {
  status: number;
  /** The Worker's error code, e.g. `storage_unavailable`; `http_<status>` when the body was not the Worker's. */
  code: string;
  /** The Worker's human text, or the status text. */
  message: string;
}

export interface ServerWatchOptions {
  /** The real fetch. */
  fetch: Fetch;
  /** Whether the browser believes it has a network; `() => navigator.onLine` in the page. */
  isOnline: () => boolean;
  /**
   * Called when the server's state changes: with the latest retryable failure (5xx, 408, 429) still outstanding,
   * or with `undefined` once every kind of request that failed has succeeded again.
   */
  onChange: (problem: ServerProblem | undefined) => void;
  /**
   * While the browser says it is offline, at most one request goes out in this long; the others fail at once.
   * @defaultValue 15_000
   */
  offlineProbeIntervalMs?: number;
  /**
   * The clock, in ms.
   * @defaultValue `Date.now`
   */
  now?: () => number;
}

/**
 * @example
 * const fetch = watchServer({ fetch: (u, i) => window.fetch(u, i), isOnline: () => navigator.onLine, onChange: show });
 * new ChatClient({ fetch });
 */
export function watchServer({
  fetch,
  isOnline,
  onChange,
  offlineProbeIntervalMs = 15_000,
  now = Date.now,
}: ServerWatchOptions): Fetch {
  // Keyed by method and path: a history read that works says nothing about the POST that keeps failing, so only
  // the same kind of request succeeding clears its problem (and the notice does not flicker between retries).
  const problems = new Map<string, ServerProblem>();
  let lastOfflineAttempt = -Infinity;
  /** A request went through although the browser says it is offline: the server is on this machine or network. */
  let reachableOffline = false;
  return async (input, init) => {
    if (!isOnline() && !reachableOffline) {
      // A TypeError, as fetch itself rejects offline: the client reads it as a network error and waits.
      if (now() - lastOfflineAttempt < offlineProbeIntervalMs) throw new TypeError('Failed to fetch: offline');
      lastOfflineAttempt = now();
    }
    let response: Response;
    try {
      response = await fetch(input, init);
    } catch (error) {
      reachableOffline = false;
      throw error;
    }
    if (!isOnline()) reachableOffline = true;
    // Only the path matters here; the base just lets a relative endpoint ('/api/…') parse.
    const key = `${init?.method ?? 'GET'} ${new URL(input, 'http://base.invalid').pathname}`;
    if (isRetryable(response.status)) {
      problems.set(key, await readProblem(response));
      onChange(problems.get(key));
    } else if (response.ok && problems.delete(key)) {
      onChange([...problems.values()].at(-1));
    }
    return response;
  };
}

async function readProblem(response: Response): Promise<ServerProblem> {
  const fallback = { status: response.status, code: `http_${response.status}`, message: response.statusText };
  // A clone: the client reads the same body for its own error.
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => undefined);
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof error !== 'object' || error === null) return fallback;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return {
    status: response.status,
    code: typeof code === 'string' ? code : fallback.code,
    message: typeof message === 'string' && message !== '' ? message : fallback.message,
  };
}
