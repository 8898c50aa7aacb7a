// `npm run soak [-- --faults] [vitest options]`: vitest refuses options it does not know, so `--faults` is taken
// here and handed to test/soak/vitest.config.ts as SOAK_FAULTS=1.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const args = process.argv.slice(2);
const faults = args.includes('--faults');
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const child = spawn(process.execPath, [vitest, 'run', '--config', 'test/soak/vitest.config.ts', ...args.filter((a) => a !== '--faults')], {
  stdio: 'inherit',
  env: { ...process.env, ...(faults ? { SOAK_FAULTS: '1' } : {}) },
});
child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
