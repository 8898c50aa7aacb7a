import { IDBFactory } from 'fake-indexeddb';
import { expect, it } from 'vitest';
import { listTables } from '../../sdk/conversations/list-tables';
import { idbStorage } from '../../sdk/storage/idb-storage';
import { message } from './storage-conformance';

it('the list’s version step keeps a chat’s cached messages, and a chat-only client opens the newer database', async () => {
  const factory = new IDBFactory();
  const chat = idbStorage(factory);
  await chat.enqueue(message('s-1', 'm-1', { status: 'pending' }));

  const list = listTables(factory);
  await list.write([['conversations', { id: 'c:o:s-1', owner: 'o' }]]);
  expect(await list.all('conversations')).toEqual([{ id: 'c:o:s-1', owner: 'o' }]);

  // The chat's connection closed on versionchange; it reopens at version 2 and still has its turn and outbox.
  expect(await chat.load('s-1')).toEqual([message('s-1', 'm-1', { status: 'pending' })]);
  expect(await chat.outbox('s-1')).toEqual(['m-1']);
  await chat.drop('s-1');
  expect(await list.all('conversations')).toHaveLength(1);
  chat.close();
  list.close();

  // A later chat-only page opens the version it finds rather than failing on a lower one.
  const reload = idbStorage(factory);
  expect(await reload.sessions()).toEqual([]);
  reload.close();
});
