import { exports } from 'cloudflare:workers';
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';

it('runs in workerd with a KV binding', async () => {
  await env.CHAT_KV.put('k', 'v');
  expect(await env.CHAT_KV.get('k')).toBe('v');
  const res = await exports.default.fetch('http://x/api/nope');
  expect(res.status).toBe(404);
});
