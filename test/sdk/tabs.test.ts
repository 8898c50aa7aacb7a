import { describe, expect, it } from 'vitest';
import { openTabChannel, runExclusive, type Locks, type TabMessage } from '../../sdk/tabs';

describe('runExclusive', () => {
  it('asks Web Locks for the lock only if available, and skips the job when another holder has it', async () => {
    const requests: { name: string; ifAvailable?: boolean }[] = [];
    let available = true;
    const locks = {
      request: (name: string, options: LockOptions, job: (lock: Lock | null) => unknown) => {
        requests.push({ name, ifAvailable: options.ifAvailable });
        return Promise.resolve(job(available ? ({ name, mode: 'exclusive' } as Lock) : null));
      },
    } as unknown as Locks;
    let runs = 0;
    await runExclusive(locks, 'chatkeep:outbox:s', async () => void runs++);
    available = false;
    await runExclusive(locks, 'chatkeep:outbox:s', async () => void runs++);
    expect(requests).toEqual([
      { name: 'chatkeep:outbox:s', ifAvailable: true },
      { name: 'chatkeep:outbox:s', ifAvailable: true },
    ]);
    expect(runs).toBe(1);
  });

  it('without Web Locks still runs one job per name at a time within the page', async () => {
    let release!: () => void;
    const first = runExclusive(undefined, 'job', () => new Promise<void>((r) => (release = r)));
    let second = false;
    await runExclusive(undefined, 'job', async () => void (second = true));
    expect(second).toBe(false);
    let other = false;
    await runExclusive(undefined, 'another-job', async () => void (other = true));
    expect(other).toBe(true);
    release();
    await first;
    await runExclusive(undefined, 'job', async () => void (second = true));
    expect(second).toBe(true);
  });
});

describe('openTabChannel', () => {
  it('carries messages to other channels of the same name, not to itself nor to other names', async () => {
    const got: TabMessage[][] = [[], [], []];
    const a = openTabChannel(BroadcastChannel, 'chatkeep:t1', (m) => got[0]!.push(m));
    const b = openTabChannel(BroadcastChannel, 'chatkeep:t1', (m) => got[1]!.push(m));
    const c = openTabChannel(BroadcastChannel, 'chatkeep:t2', (m) => got[2]!.push(m));
    a.post({ drops: ['x'] });
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual([[], [{ drops: ['x'] }], []]);
    [a, b, c].forEach((ch) => ch.close());
  });

  it('works alone without BroadcastChannel', () => {
    const ch = openTabChannel(null, 'chatkeep:t3', () => {});
    expect(() => ch.post({ clear: true })).not.toThrow();
    ch.close();
  });
});
