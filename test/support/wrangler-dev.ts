/**
 * Starts the real Worker with `wrangler dev` on a free loopback port, with a fresh persisted KV, for the suites that
 * talk to it over HTTP (SDK integration, browser, soak, bench). Started in its own process group so that stopping it
 * also stops workerd (killing only the wrangler pid leaves workerd running).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface RunningWorker {
  /** e.g. `http://127.0.0.1:41234` */
  origin: string;
  port: number;
  /** The KV persistence folder. */
  persistDir: string;
  stop(): Promise<void>;
}

export interface StartWorkerOptions {
  /** Worker vars passed with `--var`; DEMO_DELAY_MS defaults to 5 so suites do not wait on the demo model. */
  vars?: Record<string, string>;
  /** Reuse a KV folder (to keep data across restarts). */
  persistDir?: string;
  port?: number;
  /** Print wrangler's output. */
  verbose?: boolean;
  /**
   * Another Worker config, relative to the repository (its folder is copied with the Worker's sources).
   * @defaultValue `wrangler.jsonc`, the deployable Worker
   */
  config?: string;
  /**
   * Whether the DevTools inspector runs. Off, the Worker is started through wrangler's API
   * (start-worker-quietly.mjs) rather than its CLI: the inspector relays every chunk of every response to wrangler,
   * which costs a load test most of its CPU.
   * @defaultValue true
   */
  inspector?: boolean;
}

const ROOT = resolve(import.meta.dirname, '../..');
const READY_TIMEOUT_MS = 60_000;
/** What `wrangler dev` builds and serves the Worker from (wrangler.jsonc's `main` and `assets`, and their imports). */
const WORKER_SOURCES = ['wrangler.jsonc', 'package.json', 'tsconfig.json', 'worker', 'sdk', 'demo'];

/**
 * `wrangler dev` watches the Worker's sources and assets and reloads on any change, and a reload drops every request
 * in flight, `waitUntil` work included: a reply being generated dies with its record left `streaming` until the stale
 * limit. The tree is edited and rebuilt (`demo/build`) while suites run, so each Worker runs from its own copy of
 * the sources, taken when it starts: one version of the code for the whole run.
 */
export function snapshotSources(extra: readonly string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'chatkeep-worker-'));
  for (const entry of [...WORKER_SOURCES, ...extra]) cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Tries at most this many free ports: one found free may be taken by another process before wrangler binds it. */
const PORT_ATTEMPTS = 3;

export async function startWorker(options: StartWorkerOptions = {}): Promise<RunningWorker> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startWorkerOnce(options, options.port ?? (await freePort()));
    } catch (error) {
      const taken = error instanceof Error && error.message.includes('Address already in use');
      if (!taken || options.port !== undefined || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

async function startWorkerOnce(options: StartWorkerOptions, port: number): Promise<RunningWorker> {
  const persistDir = options.persistDir ?? mkdtempSync(join(tmpdir(), 'chatkeep-kv-'));
  const ownsPersistDir = options.persistDir === undefined;
  const vars = { DEMO_DELAY_MS: '5', ...options.vars };
  const config = options.config ?? 'wrangler.jsonc';
  const args =
    options.inspector === false
      ? [join(ROOT, 'test/support/start-worker-quietly.mjs'), JSON.stringify({ config, port, persistDir, vars })]
      : [
          join(ROOT, 'node_modules/wrangler/bin/wrangler.js'),
          'dev',
          '--config',
          config,
          '--ip',
          '127.0.0.1',
          '--port',
          String(port),
          '--persist-to',
          persistDir,
          '--inspector-port',
          String(await freePort()),
          '--show-interactive-dev-session=false',
          ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
        ];
  const sources = snapshotSources(options.config === undefined ? [] : [dirname(options.config)]);
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: sources,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      NO_COLOR: '1',
      CI: process.env.CI ?? 'true',
    },
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (options.verbose) process.stderr.write(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });

  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!exited && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          try {
            if (child.pid) process.kill(-child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
          r();
        }, 3_000);
        child.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
    }
    rmSync(sources, { recursive: true, force: true });
    if (ownsPersistDir) rmSync(persistDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      const res = await fetch(`${origin}/api/history?sessionId=readiness-probe`);
      await res.arrayBuffer();
      if (res.status < 500) return { origin, port, persistDir, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  await stop();
  throw new Error(`wrangler dev did not become ready on ${origin}:\n${output.slice(-4000)}`);
}
