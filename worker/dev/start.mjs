// @ts-check
/**
 * `npm start`: serves the Worker and the demo with `wrangler dev` on 127.0.0.1, with a local KV kept under
 * `.wrangler/state`. The port is 8787 unless `PORT=… npm start` or `npm start -- --port …` says otherwise; every
 * other argument goes to `wrangler dev` as it is. A busy port is reported in one line before wrangler starts
 * (wrangler itself prints workerd's native stack trace for it).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

const HOST = '127.0.0.1';
const DEFAULT_PORT = 8787;
const PERSIST_DIR = '.wrangler/state';

/**
 * Takes `--port N` or `--port=N` out of the arguments.
 * @param {string[]} args
 * @returns {{ port: string | undefined, rest: string[] }}
 */
function takePort(args) {
  const rest = [];
  let port;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '--port') {
      port = args[index + 1];
      index += 1;
    } else if (arg.startsWith('--port=')) {
      port = arg.slice('--port='.length);
    } else {
      rest.push(arg);
    }
  }
  return { port, rest };
}

/**
 * @param {number} port
 * @returns {Promise<NodeJS.ErrnoException | undefined>} why the port cannot be listened on, if it cannot
 */
function probePort(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error) => resolve(error));
    server.listen(port, HOST, () => server.close(() => resolve(undefined)));
  });
}

/** @param {string} line */
function fail(line) {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

const { port: portArg, rest } = takePort(process.argv.slice(2));
const portText = portArg ?? process.env.PORT ?? String(DEFAULT_PORT);
const port = Number(portText);
if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`npm start: ${JSON.stringify(portText)} is not a port (1-65535).`);

const problem = await probePort(port);
if (problem?.code === 'EADDRINUSE') {
  const other = port < 65535 ? port + 1 : DEFAULT_PORT;
  fail(`npm start: port ${port} on ${HOST} is already in use; stop what uses it, or pick another: PORT=${other} npm start`);
}
if (problem) fail(`npm start: cannot listen on ${HOST}:${port} (${problem.code ?? problem.message}).`);

const hasOption = (/** @type {string} */ name) => rest.some((arg) => arg === name || arg.startsWith(`${name}=`));
const defaults = [...(hasOption('--ip') ? [] : ['--ip', HOST]), ...(hasOption('--persist-to') ? [] : ['--persist-to', PERSIST_DIR])];
const wrangler = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin/wrangler.js');
const child = spawn(process.execPath, [wrangler, 'dev', '--port', String(port), ...defaults, ...rest], {
  stdio: 'inherit',
  env: { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', ...process.env },
});
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
