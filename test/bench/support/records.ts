import type { ChatMessage } from '../../../sdk/protocol';
import { SessionStore } from '../../../worker/store/session-store';

/**
 * `count` alternating user/assistant records one second apart, each `contentChars` long: what a conversation of
 * that length leaves in KV after real exchanges.
 */
export function conversationRecords(sessionId: string, count: number, contentChars: number, startMs = Date.parse('2026-01-01T00:00:00Z')): ChatMessage[] {
  const filler = 'the reply keeps streaming while the browser refreshes and every word lands in storage ';
  const text = filler.repeat(Math.ceil(contentChars / filler.length) + 1);
  return Array.from({ length: count }, (_, i) => {
    const at = new Date(startMs + i * 1000).toISOString();
    const id = `m${i.toString().padStart(7, '0')}`;
    return {
      id,
      sessionId,
      role: i % 2 === 0 ? 'user' : 'assistant',
      content: `${i} ${text}`.slice(0, contentChars),
      timestamp: at,
      updatedAt: at,
      status: 'complete',
      ...(i % 2 === 1 ? { replyTo: `m${(i - 1).toString().padStart(7, '0')}` } : {}),
    } satisfies ChatMessage;
  });
}

/** Writes records through the Worker's own store: the keys, values and list metadata a live exchange leaves. */
export async function seedRecords(kv: KVNamespace, messages: readonly ChatMessage[], concurrency = 100): Promise<void> {
  for (let i = 0; i < messages.length; i += concurrency) {
    await Promise.all(messages.slice(i, i + concurrency).map((m) => new SessionStore(kv, m.sessionId, 86_400).put(m)));
  }
}
