import { env } from 'cloudflare:workers';
import type { ChatMessage } from '../../../sdk/protocol';
import type { ConversationsResponseBody } from '../../../sdk/protocol-conversations';
import { errorResponse } from '../../../worker/error-response';
import {
  handleConversations,
  OwnerIndex,
  resolveOwner,
  type ConversationsRouteOptions,
  type Exchange,
  type IndexEntry,
} from '../../../worker/conversations/index';
import { ORIGIN } from './requests';

/**
 * The conversations routes mounted alone, as the Worker's dispatcher mounts them: the owner resolved from the
 * request (the owner key header), then the handler, and every thrown error turned into the JSON error response.
 */
export function conversationsApp(kv: KVNamespace = env.CHAT_KV, options: ConversationsRouteOptions = {}) {
  return async (request: Request): Promise<Response> => {
    try {
      return await handleConversations(request, await resolveOwner(request, env), kv, options);
    } catch (error) {
      return errorResponse(error, () => undefined);
    }
  };
}

let ownerCounter = 0;
/** A fresh owner key (22+ characters of the id alphabet), distinct per call. */
export function ownerKey(label = 'owner'): string {
  ownerCounter++;
  return `${label}-${Date.now().toString(36)}-${ownerCounter.toString().padStart(6, '0')}`.padEnd(24, 'x');
}

export function listRequest(owner: string | undefined, params: Record<string, string> = {}): Request {
  return new Request(`${ORIGIN}/api/conversations?${new URLSearchParams(params)}`, {
    headers: owner === undefined ? {} : { 'x-chatkeep-owner': owner },
  });
}

export function renameRequest(owner: string | undefined, body: unknown): Request {
  return new Request(`${ORIGIN}/api/conversations`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', ...(owner === undefined ? {} : { 'x-chatkeep-owner': owner }) },
    body: JSON.stringify(body),
  });
}

export async function listBody(app: (r: Request) => Promise<Response>, request: Request): Promise<ConversationsResponseBody> {
  const response = await app(request);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${response.status}: ${text}`);
  return JSON.parse(text) as ConversationsResponseBody;
}

/** An exchange of conversation `sessionId`: a user turn at `atMs` and its complete reply a millisecond later. */
export function exchange(sessionId: string, content: string, atMs: number, messageCount = 2, reply = `Reply to ${content}`): Exchange {
  const at = new Date(atMs).toISOString();
  const later = new Date(atMs + 1).toISOString();
  const userTurn: ChatMessage = { id: `u${atMs}`.padEnd(8, '0'), sessionId, role: 'user', content, timestamp: at, updatedAt: at, status: 'complete' };
  const answer: ChatMessage = {
    id: `${userTurn.id}_r`,
    sessionId,
    role: 'assistant',
    content: reply,
    timestamp: later,
    updatedAt: later,
    status: 'complete',
    replyTo: userTurn.id,
  };
  return { userTurn, reply: answer, messageCount };
}

/** `count` entries of `owner`, conversation `i` last changed at `startMs + i` seconds. */
export async function seedIndex(owner: string, count: number, startMs: number, kv: KVNamespace = env.CHAT_KV): Promise<IndexEntry[]> {
  const index = new OwnerIndex(kv, owner, 3600);
  const entries = Array.from({ length: count }, (_, i): IndexEntry => {
    const at = new Date(startMs + i * 1000).toISOString();
    return {
      summary: {
        sessionId: `conv-${i.toString().padStart(6, '0')}`,
        title: `Conversation ${i}`,
        createdAt: at,
        updatedAt: at,
        messageCount: 2,
        lastMessage: { role: 'assistant', status: 'complete', preview: `Last words of ${i}` },
      },
      titleSource: 'turn',
    };
  });
  const batch = 100;
  for (let i = 0; i < entries.length; i += batch) await Promise.all(entries.slice(i, i + batch).map((e) => index.put(e)));
  return entries;
}
