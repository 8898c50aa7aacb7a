// Runs one Worker as `wrangler dev` does, through wrangler's own API, with the DevTools inspector off. With it on,
// wrangler's inspector proxy relays every chunk of every response body (`Network.dataReceived`) to the wrangler
// process and writes it to its debug log: for a load test, most of the CPU the run spends. Stopped by SIGTERM.
// argv[2]: JSON { config, port, persistDir, vars }.
import { unstable_startWorker } from 'wrangler';

const { config, port, persistDir, vars } = JSON.parse(process.argv[2] ?? '{}');
const worker = await unstable_startWorker({
  config,
  bindings: Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, { type: 'plain_text', value }])),
  dev: { server: { hostname: '127.0.0.1', port }, inspector: false, persist: persistDir, watch: false, remote: false, logLevel: 'warn' },
});
await worker.ready;
const stop = async () => {
  await worker.dispose().catch(() => undefined);
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
