import { env } from 'cloudflare:workers';
import type { ChatMessage } from '../../../sdk/protocol';
import { SessionStore } from '../../../worker/store/session-store';

/** Writes records through the Worker's own store (same keys, values and metadata a live exchange leaves). */
export async function seed(messages: ChatMessage[], kv: KVNamespace = env.CHAT_KV): Promise<void> {
  const batch = 100;
  for (let i = 0; i < messages.length; i += batch) {
    await Promise.all(
      messages.slice(i, i + batch).map((m) => new SessionStore(kv, m.sessionId, 3600).put(m)),
    );
  }
}

/** `count` alternating user/assistant records, one second apart from `startMs`; `content(i)` decides each text. */
export function conversation(sessionId: string, count: number, startMs: number, content: (i: number) => string): ChatMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const at = new Date(startMs + i * 1000).toISOString();
    return {
      id: `msg-${i.toString().padStart(6, '0')}`,
      sessionId,
      role: i % 2 === 0 ? 'user' : 'assistant',
      content: content(i),
      timestamp: at,
      updatedAt: at,
      status: 'complete',
    } satisfies ChatMessage;
  });
}
