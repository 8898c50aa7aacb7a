import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { idbStorage } from '../../sdk/storage/idb-storage';
import { memoryStorage } from '../../sdk/storage/memory-storage';
import { message, storageConformance } from './storage-conformance';

storageConformance('memoryStorage', memoryStorage);
storageConformance('idbStorage', () => idbStorage(new IDBFactory()));

describe('idbStorage connection handling', () => {
  it('persists across storages opened on one factory (a reload)', async () => {
    const factory = new IDBFactory();
    const a = idbStorage(factory);
    await a.enqueue(message('s-1', 'm-1', { status: 'pending' }));
    a.close();
    const b = idbStorage(factory);
    expect(await b.load('s-1')).toEqual([message('s-1', 'm-1', { status: 'pending' })]);
    expect(await b.outbox('s-1')).toEqual(['m-1']);
    b.close();
  });

  it('closes on versionchange so a newer version can open, instead of blocking it', async () => {
    const factory = new IDBFactory();
    const s = idbStorage(factory);
    await s.put('s-1', [message('s-1', 'm-1')]);
    const upgraded = await new Promise<number>((resolve, reject) => {
      const req = factory.open('chatkeep', 2);
      req.onblocked = () => reject(new Error('blocked by the old connection'));
      req.onsuccess = () => {
        resolve(req.result.version);
        req.result.close();
      };
      req.onerror = () => reject(req.error);
    });
    expect(upgraded).toBe(2);
  });

  it('reopens after the database was deleted underneath, recreating its stores', async () => {
    const factory = new IDBFactory();
    const s = idbStorage(factory);
    await s.put('s-1', [message('s-1', 'm-1')]);
    await new Promise<void>((resolve, reject) => {
      const req = factory.deleteDatabase('chatkeep');
      req.onsuccess = () => resolve();
      req.onerror = () => reject(req.error);
    });
    expect(await s.load('s-1')).toEqual([]);
    await s.put('s-1', [message('s-1', 'm-2')]);
    expect(await s.load('s-1')).toEqual([message('s-1', 'm-2')]);
    s.close();
  });

  it('reopens once when its connection was closed underneath (InvalidStateError)', async () => {
    const factory = new IDBFactory();
    const connections: IDBDatabase[] = [];
    const capturing = {
      open(...args: Parameters<IDBFactory['open']>) {
        const req = factory.open(...args);
        req.addEventListener('success', () => connections.push(req.result));
        return req;
      },
    } as IDBFactory;
    const s = idbStorage(capturing);
    await s.put('s-1', [message('s-1', 'm-1')]);
    // Closed without the storage knowing: its next transaction throws InvalidStateError.
    connections[0]!.close();
    expect(await s.load('s-1')).toEqual([message('s-1', 'm-1')]);
    expect(connections).toHaveLength(2);
    s.close();
  });
});

describe('one logical change is one transaction', () => {
  for (const [name, make] of [
    ['idbStorage', () => idbStorage(new IDBFactory())],
    ['memoryStorage', memoryStorage],
  ] as const) {
    it(`${name}: a record refused in the middle of a put leaves none of that put written`, async () => {
      const s = make();
      await s.put('s-1', [message('s-1', 'kept')]);
      // No key (IndexedDB throws DataError synchronously) / not cloneable: the earlier record must not commit.
      const refused = { ...message('s-1', 'bad'), sessionId: undefined, id: undefined, clone: () => 0 } as never;
      await expect(s.put('s-1', [message('s-1', 'first'), refused, message('s-1', 'last')])).rejects.toThrow();
      expect((await s.load('s-1')).map((m) => m.id)).toEqual(['kept']);
      s.close();
    });
  }
});
