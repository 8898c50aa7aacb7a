import { SSE_CACHE_CONTROL, SSE_CONTENT_TYPE } from '../../sdk/protocol';
import type { SseStream } from './sse-stream';

/** The `200` answer carrying an event stream; `x-accel-buffering` keeps nginx-style proxies from holding it. */
export function sseResponse(sse: SseStream): Response {
  return new Response(sse.readable, {
    status: 200,
    headers: {
      'content-type': SSE_CONTENT_TYPE,
      'cache-control': SSE_CACHE_CONTROL,
      'x-accel-buffering': 'no',
    },
  });
}
