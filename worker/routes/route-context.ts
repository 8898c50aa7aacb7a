import type { ChatExecutionContext } from '../cloudflare-types';
import type { ResolvedOptions } from '../options';

/** Everything a route handler gets. */
export interface RouteContext<E> {
  request: Request;
  url: URL;
  env: E;
  ctx: ChatExecutionContext;
  options: ResolvedOptions<E>;
  /** Who the request acts for (see `resolveOwner`), resolved before any route runs; `undefined`: no owner. */
  owner?: string | undefined;
}
