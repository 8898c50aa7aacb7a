import type { ChatMessage } from '../sdk/protocol';

/**
 * How a reply was ended from outside: stopped by the user (with the record the stop route writes), or deleted with
 * its conversation.
 */
export type HaltReason = { kind: 'aborted'; record: ChatMessage } | { kind: 'deleted' };

/**
 * Replies being generated in this isolate, so `POST /chat/stop` and `DELETE /history` can halt one at once instead
 * of waiting for its next KV read. A stop handled by another isolate is still seen: the generation reads the record
 * before every write.
 *
 * `halt` only sets a flag. workerd forbids one request from touching another's I/O (aborting its fetch, awaiting
 * its promises), so the generation itself acts on the flag, in its own request.
 */
export interface ActiveReply {
  halt(reason: HaltReason): void;
}

const active = new Map<string, ActiveReply>();

function keyOf(sessionId: string, messageId: string): string {
  return `${sessionId}:${messageId}`;
}

export function registerReply(sessionId: string, messageId: string, reply: ActiveReply): () => void {
  const key = keyOf(sessionId, messageId);
  active.set(key, reply);
  return () => {
    if (active.get(key) === reply) active.delete(key);
  };
}

export function activeReply(sessionId: string, messageId: string): ActiveReply | undefined {
  return active.get(keyOf(sessionId, messageId));
}

export function haltSession(sessionId: string): void {
  const prefix = `${sessionId}:`;
  for (const [key, reply] of active) if (key.startsWith(prefix)) reply.halt({ kind: 'deleted' });
}
