/**
 * vitest globalSetup (runs in node, where the pool prints workerd's log): drops the two lines workerd logs for
 * closes these suites make on purpose, and nothing else. Every other runtime line still reaches the terminal.
 *
 * - `WebSocket peer disconnected`: the pool's own socket to its runner object. At the end of every test file
 *   vitest-pool-workers (0.15.1, dist/pool/index.mjs `stop()`) calls `socket.close()` and disposes the runtime at
 *   once, without waiting for the close handshake, so workerd sees the peer gone. A file with no socket of its own
 *   (json-text.test.ts: two pure functions) prints it; the pool already drops the sibling message
 *   "WebSocket was aborted" for the same close.
 * - `stream disconnected prematurely` and its native `stack:`: the fake OpenAI server's `cut` model destroys its
 *   socket mid-reply (support/openai-server.ts) to prove the partial reply is kept with status `error`. workerd logs
 *   the cut body from its own pump before the Worker's reader sees the error, which the test then asserts is
 *   handled; ending the socket instead of destroying it logs the same.
 * - `PumpToReader was destroyed`: object-restart.test.ts stands in for a reset of the conversation object by cutting
 *   the object's response body in a binding wrapper (`cutAfter`) and dropping the rest of it; workerd logs its
 *   abandoned pump of that body, which is the cut the test is about (it then asserts the client's final event).
 */
const EXPECTED_RUNTIME_LINES = [
  'disconnected: WebSocket peer disconnected',
  'kj/async-io.c++:60: disconnected: stream disconnected prematurely',
  'kj/async.c++:220: disconnected: PumpToReader was destroyed',
];

type Write = typeof process.stdout.write;

const FILTERED = Symbol.for('chatkeep.runtimeLogFilter');

/** Wraps a stream's `write` so that chunks holding an expected line are dropped. */
function filterStream(stream: NodeJS.WriteStream & { [FILTERED]?: true }): void {
  if (stream[FILTERED]) return;
  const original: Write = stream.write;
  stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString() : '';
    if (EXPECTED_RUNTIME_LINES.some((line) => text.includes(line))) {
      const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
      callback?.();
      return true;
    }
    return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as Write;
  stream[FILTERED] = true;
}

/**
 * The pool writes the runtime's errors and warnings to stderr and its other lines to stdout. The filter stays until
 * the process exits: the pool closes the last file's socket after the global teardown has run.
 */
export default function setup(): void {
  filterStream(process.stdout);
  filterStream(process.stderr);
}
