/** Reads a conversation from the Worker over GET /api/history, as any outside client would. */
import type { ChatMessage, HistoryResponseBody } from '../../sdk/protocol';

/**
 * Every message the server holds for a session, following `nextPage`; asked as `ownerKey` when given (an owned
 * conversation answers its owner only).
 */
export async function serverHistory(origin: string, sessionId: string, ownerKey?: string): Promise<ChatMessage[]> {
  const messages: ChatMessage[] = [];
  let page: string | null = null;
  do {
    const url = new URL('/api/history', origin);
    url.searchParams.set('sessionId', sessionId);
    if (page !== null) url.searchParams.set('cursor', page);
    const res = await fetch(url, ownerKey === undefined ? {} : { headers: { 'x-chatkeep-owner': ownerKey } });
    if (!res.ok) throw new Error(`GET ${url.pathname} answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as HistoryResponseBody;
    messages.push(...body.messages);
    page = body.nextPage;
  } while (page !== null);
  return messages;
}
