/**
 * `npm start` as a person runs it: the port chosen with `PORT=…` or `--port …`, and a busy port reported in one
 * line. The script runs from a copy of the sources (as the suites' Workers do) with its KV in a temporary folder.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, snapshotSources } from '../support/wrangler-dev';

const READY_TIMEOUT_MS = 60_000;
const sources = snapshotSources();
const kvDir = mkdtempSync(join(tmpdir(), 'chatkeep-start-kv-'));
afterAll(() => {
  rmSync(sources, { recursive: true, force: true });
  rmSync(kvDir, { recursive: true, force: true });
});

const START = ['worker/dev/start.mjs', '--persist-to', kvDir, '--show-interactive-dev-session=false'];
const quietEnv = { ...process.env, NO_COLOR: '1', CI: 'true' };

/** Starts the script, waits until the Worker answers on `port`, then stops its whole process group. */
async function serves(port: number, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [...START, ...args], { cwd: sources, env, detached: true, stdio: 'ignore' });
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/api/history?sessionId=start-script-probe`);
        await response.arrayBuffer();
        return response.status;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    throw new Error(`npm start did not answer on port ${port}`);
  } finally {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

describe('npm start', () => {
  it('serves on the port given by PORT', async () => {
    const port = await freePort();
    expect(await serves(port, [], { ...quietEnv, PORT: String(port) })).toBe(200);
  });

  it('serves on the port given by --port, which wins over PORT', async () => {
    const port = await freePort();
    expect(await serves(port, ['--port', String(port)], { ...quietEnv, PORT: '1' })).toBe(200);
  });

  it('reports a busy port in one line and exits', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const address = holder.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const result = spawnSync(process.execPath, [...START, '--port', String(port)], { cwd: sources, env: quietEnv, encoding: 'utf8' });
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(`npm start: port ${port} on 127.0.0.1 is already in use; stop what uses it, or pick another: PORT=${port + 1} npm start\n`);
    } finally {
      holder.close();
    }
  });

  it('refuses a port that is not a number, in one line', () => {
    const result = spawnSync(process.execPath, START, { cwd: sources, env: { ...quietEnv, PORT: 'eighty' }, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('npm start: "eighty" is not a port (1-65535).\n');
  });
});
