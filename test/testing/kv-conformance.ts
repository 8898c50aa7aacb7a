/**
 * What chatkeep relies on from Workers KV, as one suite run against every implementation: the real local KV in
 * workerd (test/worker/kv-conformance.test.ts) and `memoryKv` from `chatkeep/testing` (memory-kv.test.ts). A rule
 * the memory KV gets wrong fails here next to the real KV's answer to the same calls.
 */
import { describe, expect, it } from 'vitest';
import type { KvBinding, KvListKey } from '../../worker/testing/memory-kv';

const TTL_SECONDS = 3600;
/** Slack for the clock moving on between a put and the check of its expiration. */
const CLOCK_SLACK_SECONDS = 5;

let namespaceCount = 0;

async function listAll(kv: KvBinding, prefix: string, limit?: number): Promise<{ keys: KvListKey[]; pages: number }> {
  const keys: KvListKey[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await kv.list({ prefix, ...(limit === undefined ? {} : { limit }), ...(cursor === undefined ? {} : { cursor }) });
    pages++;
    keys.push(...page.keys);
    if (page.list_complete) return { keys, pages };
    cursor = page.cursor;
  }
}

/**
 * @param name names the implementation in the test titles
 * @param kv the namespace under test; every test writes under a prefix of its own
 */
export function describeKvConformance(name: string, kv: () => KvBinding): void {
  describe(`KV conformance: ${name}`, () => {
    // Each test works under its own prefix, so the suite runs on a shared namespace.
    const prefix = () => `conformance-${++namespaceCount}-${Date.now()}:`;

    it('reads null and null metadata for a key never written', async () => {
      const p = prefix();
      expect(await kv().get(`${p}missing`)).toBeNull();
      expect(await kv().get(`${p}missing`, 'json')).toBeNull();
      const read = await kv().getWithMetadata(`${p}missing`, 'text');
      expect([read.value, read.metadata]).toEqual([null, null]);
    });

    it('reads back text as written, as text, JSON, bytes or a stream', async () => {
      const p = prefix();
      const text = JSON.stringify({ content: 'héllo — 👋 "quoted"\n' });
      await kv().put(`${p}a`, text);
      expect(await kv().get(`${p}a`)).toBe(text);
      expect(await kv().get(`${p}a`, 'text')).toBe(text);
      expect(await kv().get(`${p}a`, { type: 'text' })).toBe(text);
      expect(await kv().get(`${p}a`, 'json')).toEqual({ content: 'héllo — 👋 "quoted"\n' });
      expect(new TextDecoder().decode((await kv().get(`${p}a`, 'arrayBuffer')) ?? new ArrayBuffer(0))).toBe(text);
      const stream = await kv().get(`${p}a`, 'stream');
      expect(stream === null ? null : await new Response(stream).text()).toBe(text);
    });

    it('stores bytes given as an ArrayBuffer or a typed array', async () => {
      const p = prefix();
      const buffer = new ArrayBuffer(13);
      new Uint8Array(buffer).set(new TextEncoder().encode('from a buffer'));
      await kv().put(`${p}buffer`, buffer);
      await kv().put(`${p}view`, new TextEncoder().encode('xfrom a viewx').subarray(1, 12));
      expect(await kv().get(`${p}buffer`)).toBe('from a buffer');
      expect(await kv().get(`${p}view`)).toBe('from a view');
    });

    it('returns metadata with the value, as a copy taken at write time', async () => {
      const p = prefix();
      const metadata = { role: 'user', status: 'complete', n: 1 };
      await kv().put(`${p}a`, 'value', { metadata });
      metadata.n = 2;
      const read = await kv().getWithMetadata(`${p}a`);
      expect(read.value).toBe('value');
      expect(read.metadata).toEqual({ role: 'user', status: 'complete', n: 1 });
      const json = await kv().getWithMetadata<{ x: number }>(`${p}b`, 'json');
      expect(json.value).toBeNull();
    });

    it('replaces value and metadata on a second put (metadata gone when the second put has none)', async () => {
      const p = prefix();
      await kv().put(`${p}a`, 'first', { metadata: { v: 1 } });
      await kv().put(`${p}a`, 'second', { metadata: { v: 2 } });
      expect(await kv().getWithMetadata(`${p}a`)).toMatchObject({ value: 'second', metadata: { v: 2 } });
      await kv().put(`${p}a`, 'third');
      expect(await kv().getWithMetadata(`${p}a`)).toMatchObject({ value: 'third', metadata: null });
      const listed = await kv().list({ prefix: p });
      expect(listed.keys).toHaveLength(1);
      expect(listed.keys[0]?.metadata).toBeUndefined();
    });

    it('deletes a key, and deleting a key that is not there is no error', async () => {
      const p = prefix();
      await kv().put(`${p}a`, 'value', { metadata: { v: 1 } });
      await kv().delete(`${p}a`);
      await kv().delete(`${p}never-written`);
      expect(await kv().get(`${p}a`)).toBeNull();
      expect((await kv().list({ prefix: p })).keys).toEqual([]);
    });

    it('lists only the keys under the prefix, in byte order, each with its metadata', async () => {
      const p = prefix();
      const names = ['b', 'a', 'B', 'a:2', 'a:10', 'é', 'z', '~'];
      await Promise.all(names.map((n, i) => kv().put(`${p}${n}`, `value ${n}`, i % 2 === 0 ? { metadata: { n } } : {})));
      await kv().put(`${p.slice(0, -1)};outside`, 'not under the prefix');
      const listed = await kv().list({ prefix: p });
      expect(listed.list_complete).toBe(true);
      expect(listed.keys.map((k) => k.name)).toEqual(['B', 'a', 'a:10', 'a:2', 'b', 'z', '~', 'é'].map((n) => `${p}${n}`));
      for (const key of listed.keys) {
        const n = key.name.slice(p.length);
        if (names.indexOf(n) % 2 === 0) expect(key.metadata).toEqual({ n });
        else expect(key.metadata).toBeUndefined();
      }
    });

    it('lists nothing, complete, under a prefix with no keys', async () => {
      const listed = await kv().list({ prefix: `${prefix()}empty:` });
      expect(listed.keys).toEqual([]);
      expect(listed.list_complete).toBe(true);
    });

    it('pages with limit and cursor: every key once, in order, list_complete only on the last page', async () => {
      const p = prefix();
      const names = Array.from({ length: 7 }, (_, i) => `${p}${String(i).padStart(2, '0')}`);
      await Promise.all(names.map((n) => kv().put(n, n)));
      const first = await kv().list({ prefix: p, limit: 3 });
      expect(first.keys.map((k) => k.name)).toEqual(names.slice(0, 3));
      expect(first.list_complete).toBe(false);
      const all = await listAll(kv(), p, 3);
      expect(all.keys.map((k) => k.name)).toEqual(names);
      expect(all.pages).toBe(3);
    });

    it('keeps a cursor valid when a key already listed is deleted before the next page', async () => {
      const p = prefix();
      const names = Array.from({ length: 6 }, (_, i) => `${p}${i}`);
      await Promise.all(names.map((n) => kv().put(n, n)));
      const first = await kv().list({ prefix: p, limit: 3 });
      expect(first.list_complete).toBe(false);
      await kv().delete(names[0] ?? '');
      await kv().delete(names[2] ?? '');
      const second = await kv().list({ prefix: p, limit: 3, cursor: first.list_complete ? null : first.cursor });
      expect(second.keys.map((k) => k.name)).toEqual(names.slice(3));
    });

    it('pages at most 1,000 keys by default', async () => {
      const p = prefix();
      const names = Array.from({ length: 1001 }, (_, i) => `${p}${String(i).padStart(4, '0')}`);
      for (let i = 0; i < names.length; i += 100) await Promise.all(names.slice(i, i + 100).map((n) => kv().put(n, '')));
      const first = await kv().list({ prefix: p });
      expect(first.keys).toHaveLength(1000);
      expect(first.list_complete).toBe(false);
      const second = await kv().list({ prefix: p, cursor: first.list_complete ? null : first.cursor });
      expect(second.keys.map((k) => k.name)).toEqual([names[1000]]);
      expect(second.list_complete).toBe(true);
    });

    it('reports the expiration an expirationTtl or an expiration sets, and none for a key without one', async () => {
      const p = prefix();
      const nowSeconds = Math.floor(Date.now() / 1000);
      await kv().put(`${p}ttl`, 'v', { expirationTtl: TTL_SECONDS, metadata: { m: 1 } });
      await kv().put(`${p}at`, 'v', { expiration: nowSeconds + 2 * TTL_SECONDS });
      await kv().put(`${p}forever`, 'v');
      const keys = (await kv().list({ prefix: p })).keys;
      const byName = new Map(keys.map((k) => [k.name.slice(p.length), k]));
      expect(byName.get('ttl')?.expiration).toBeGreaterThanOrEqual(nowSeconds + TTL_SECONDS);
      expect(byName.get('ttl')?.expiration).toBeLessThanOrEqual(nowSeconds + TTL_SECONDS + CLOCK_SLACK_SECONDS);
      expect(byName.get('ttl')?.metadata).toEqual({ m: 1 });
      expect(byName.get('at')?.expiration).toBe(nowSeconds + 2 * TTL_SECONDS);
      expect(byName.get('forever')?.expiration).toBeUndefined();
      expect(await kv().get(`${p}ttl`)).toBe('v');
    });

    it('refuses an expirationTtl under 60 seconds and writes nothing', async () => {
      const p = prefix();
      await expect(kv().put(`${p}a`, 'v', { expirationTtl: 30 })).rejects.toThrow();
      expect(await kv().get(`${p}a`)).toBeNull();
    });

    it('refuses empty and over-long keys, oversized metadata, and a list limit over 1,000', async () => {
      const p = prefix();
      await expect(kv().put('', 'v')).rejects.toThrow();
      await expect(kv().put(`${p}${'k'.repeat(512)}`, 'v')).rejects.toThrow();
      await expect(kv().get(`${p}${'k'.repeat(512)}`)).rejects.toThrow();
      await expect(kv().put(`${p}big-metadata`, 'v', { metadata: { text: 'm'.repeat(1100) } })).rejects.toThrow();
      expect(await kv().get(`${p}big-metadata`)).toBeNull();
      await expect(kv().list({ prefix: p, limit: 1001 })).rejects.toThrow();
    });
  });
}
