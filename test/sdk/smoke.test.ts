import { expect, inject, it } from 'vitest';

it('reaches the real Worker over loopback', async () => {
  const res = await fetch(`${inject('workerOrigin')}/api/nope`);
  expect(res.status).toBe(404);
  expect(typeof indexedDB.open).toBe('function');
});
