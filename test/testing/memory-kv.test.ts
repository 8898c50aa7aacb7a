// `memoryKv` held to the suite the real local KV passes in workerd, plus what only a clock under the test's
// control can show: entries vanishing at their expiration.
import { describe, expect, it } from 'vitest';
import { memoryKv } from '../../worker/testing/memory-kv';
import { describeKvConformance } from './kv-conformance';

const shared = memoryKv();
describeKvConformance('memoryKv', () => shared);

describe('memoryKv expiration', () => {
  it('drops an entry from get, getWithMetadata and list once its expirationTtl has passed on its clock', async () => {
    let nowMs = Date.UTC(2026, 0, 1);
    const kv = memoryKv({ now: () => nowMs });
    await kv.put('message:s:1', 'kept', { expirationTtl: 120, metadata: { role: 'user' } });
    await kv.put('message:s:2', 'forever');
    nowMs += 119_000;
    expect(await kv.get('message:s:1')).toBe('kept');
    expect(kv.keys()).toEqual(['message:s:1', 'message:s:2']);
    nowMs += 1_000;
    expect(await kv.get('message:s:1')).toBeNull();
    expect(await kv.getWithMetadata('message:s:1')).toMatchObject({ value: null, metadata: null });
    expect((await kv.list({ prefix: 'message:s:' })).keys.map((k) => k.name)).toEqual(['message:s:2']);
  });

  it('counts an expiration from the put that set it: a rewrite pushes it back', async () => {
    let nowMs = Date.UTC(2026, 0, 1);
    const kv = memoryKv({ now: () => nowMs });
    await kv.put('k', 'first', { expirationTtl: 60 });
    nowMs += 50_000;
    await kv.put('k', 'second', { expirationTtl: 60 });
    nowMs += 50_000;
    expect(await kv.get('k')).toBe('second');
    expect((await kv.list()).keys[0]?.expiration).toBe(Date.UTC(2026, 0, 1) / 1000 + 110);
  });

  it('forgets everything on clear()', async () => {
    const kv = memoryKv();
    await kv.put('a', '1');
    kv.clear();
    expect(kv.keys()).toEqual([]);
  });
});
