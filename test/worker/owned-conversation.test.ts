import { abortAllDurableObjects } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { StopResponseBody } from '../../sdk/protocol';
import type { ConversationsResponseBody, RenameResponseBody } from '../../sdk/protocol-conversations';
import { ownerPrefix } from '../../worker/conversations/index';
import { sessionPrefix } from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { listRequest, ownerKey, renameRequest } from './support/conversations-app';
import { uniqueId } from './support/ids';
import { call, chatRequest, followRequest, historyRequest, kvDump, stopRequest } from './support/requests';
import { scriptedModel } from './support/scripted-model';
import { parseSse } from './support/sse';

type Worker = ReturnType<typeof chatWorker>;

/** `request` as `owner` sends it (the owner key header); `undefined` sends it with no owner. */
function as(owner: string | undefined, request: Request): Request {
  if (owner !== undefined) request.headers.set('x-chatkeep-owner', owner);
  return request;
}

function turn(sessionId: string, content = 'Which bread?', id = uniqueId('m')) {
  return chatRequest({ sessionId, message: { id, content } });
}

async function errorCode(worker: Worker, request: Request): Promise<[number, string | undefined]> {
  const { response, text } = await call(worker, request);
  const body = response.headers.get('content-type')?.startsWith('application/json') ? (JSON.parse(text) as { error?: { code: string } }) : {};
  return [response.status, body.error?.code];
}

/** Waits until the owner's list holds `sessionId` (the object writes the entry after the reply) and returns it. */
async function listedEntry(worker: Worker, owner: string, sessionId: string) {
  for (let attempt = 0; ; attempt++) {
    const body = JSON.parse((await call(worker, listRequest(owner))).text) as ConversationsResponseBody;
    const found = body.conversations.find((entry) => entry.sessionId === sessionId);
    if (found !== undefined || attempt >= 100) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A conversation whose first turn was sent by `owner`, its reply complete. */
async function ownedConversation() {
  const owner = ownerKey('alice');
  const model = scriptedModel(['Rye, ', 'mostly.']);
  const worker = chatWorker({ model });
  const sessionId = uniqueId('conv');
  const turnId = uniqueId('m');
  const first = await call(worker, as(owner, turn(sessionId, 'Which bread?', turnId)));
  expect(first.text).toContain('event: done');
  const replyId = `${turnId}_r`;
  return { owner, model, worker, sessionId, turnId, replyId };
}

describe('a conversation owned by one owner', () => {
  it('refuses another owner, and no owner, 403 forbidden on POST /chat, writing nothing and running no model', async () => {
    const { owner, model, worker, sessionId, turnId } = await ownedConversation();
    const before = await kvDump(sessionPrefix(sessionId));
    for (const other of [ownerKey('mallory'), undefined]) {
      expect(await errorCode(worker, as(other, turn(sessionId, 'Mine now')))).toEqual([403, 'forbidden']);
      // Not even a replay of the owner's own turn: what the reply said is the owner's.
      expect(await errorCode(worker, as(other, turn(sessionId, 'Which bread?', turnId)))).toEqual([403, 'forbidden']);
    }
    expect(await kvDump(sessionPrefix(sessionId))).toEqual(before);
    expect(model.calls).toHaveLength(1);
    const again = await call(worker, as(owner, turn(sessionId, 'And rye?')));
    expect(again.text).toContain('event: done');
  });

  it('refuses them on GET /history, GET /chat/stream and POST /chat/stop, and answers its owner', async () => {
    const { owner, worker, sessionId, replyId } = await ownedConversation();
    const requests = () => [
      historyRequest({ sessionId }),
      followRequest(sessionId, replyId),
      stopRequest({ sessionId, messageId: replyId, content: '' }),
    ];
    for (const other of [ownerKey('mallory'), undefined]) {
      for (const request of requests()) expect(await errorCode(worker, as(other, request))).toEqual([403, 'forbidden']);
    }
    const [history, follow, stop] = requests().map((request) => as(owner, request));
    const read = await call(worker, history!);
    expect(read.response.status).toBe(200);
    expect(read.text).toContain('Rye, mostly.');
    expect(parseSse((await call(worker, follow!)).text).events.map((event) => event.event)).toEqual(['done']);
    const stopped = await call(worker, stop!);
    expect((JSON.parse(stopped.text) as StopResponseBody).message.status).toBe('complete');
  });

  it('refuses them on DELETE /history, leaving the conversation and its entry; its owner deletes it', async () => {
    const { owner, worker, sessionId } = await ownedConversation();
    expect(await listedEntry(worker, owner, sessionId)).toBeDefined();
    const records = await kvDump(sessionPrefix(sessionId));
    for (const other of [ownerKey('mallory'), undefined]) {
      expect(await errorCode(worker, as(other, historyRequest({ sessionId }, 'DELETE')))).toEqual([403, 'forbidden']);
    }
    expect(await kvDump(sessionPrefix(sessionId))).toEqual(records);
    expect(Object.keys(await kvDump(ownerPrefix(owner)))).toEqual([`${ownerPrefix(owner)}${sessionId}`]);

    const deleted = await call(worker, as(owner, historyRequest({ sessionId }, 'DELETE')));
    expect(deleted.response.status).toBe(200);
    expect(await kvDump(sessionPrefix(sessionId))).toEqual({});
    // Deleted, it is still its owner's: a session id alone does not reach it again.
    expect(await errorCode(worker, as(ownerKey('mallory'), turn(sessionId, 'Mine now')))).toEqual([403, 'forbidden']);
  });

  it('refuses a rename by another owner 403 (not 404); its owner’s rename holds through the next exchange', async () => {
    const { owner, worker, sessionId } = await ownedConversation();
    expect(await listedEntry(worker, owner, sessionId)).toBeDefined();
    expect(await errorCode(worker, renameRequest(ownerKey('mallory'), { sessionId, title: 'Mine now' }))).toEqual([403, 'forbidden']);

    const renamed = await call(worker, renameRequest(owner, { sessionId, title: 'Bread notes' }));
    expect(renamed.response.status).toBe(200);
    expect((JSON.parse(renamed.text) as RenameResponseBody).conversation.title).toBe('Bread notes');
    // The object wrote the rename itself, so its next exchange keeps it rather than the title it remembered.
    expect((await call(worker, as(owner, turn(sessionId, 'And rye?')))).text).toContain('event: done');
    for (let attempt = 0; attempt < 100; attempt++) {
      const entry = await listedEntry(worker, owner, sessionId);
      if (entry?.messageCount === 4) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await listedEntry(worker, owner, sessionId)).toMatchObject({ title: 'Bread notes', messageCount: 4 });
  });

  it('keeps its owner in its own storage: after a restart of its object it still refuses anyone else', async () => {
    const { owner, worker, sessionId } = await ownedConversation();
    await abortAllDurableObjects();
    expect(await errorCode(worker, as(ownerKey('mallory'), turn(sessionId, 'Mine now')))).toEqual([403, 'forbidden']);
    expect(await errorCode(worker, historyRequest({ sessionId }))).toEqual([403, 'forbidden']);
    const again = await call(worker, as(owner, turn(sessionId, 'And rye?')));
    expect(again.text).toContain('event: done');
  });
});

describe('a conversation nobody owns', () => {
  it('answers anyone as before, until its first owned turn claims it', async () => {
    const worker = chatWorker({ model: scriptedModel(['Fine.']) });
    const sessionId = uniqueId('conv');
    expect((await call(worker, turn(sessionId, 'Hello'))).text).toContain('event: done');
    expect((await call(worker, as(ownerKey('bob'), historyRequest({ sessionId })))).response.status).toBe(200);
    expect((await call(worker, historyRequest({ sessionId }))).response.status).toBe(200);

    const owner = ownerKey('carol');
    expect((await call(worker, as(owner, turn(sessionId, 'Mine from now')))).text).toContain('event: done');
    expect(await errorCode(worker, historyRequest({ sessionId }))).toEqual([403, 'forbidden']);
    expect((await call(worker, as(owner, historyRequest({ sessionId })))).response.status).toBe(200);
  });
});
