import { ChatError } from '../errors';
import { fetchJSON } from '../http';
import { ROUTE, type ChatMessage, type StopResponseBody } from '../protocol';
import { isFinalReply } from '../validate';
import type { ChatContext } from './chat-context';
import { fail, show } from './chat-view';

/** Stops a reply here at once (`aborted`, with the text shown), then on the Worker, and shows the Worker's record. */
export async function stopReply(chat: ChatContext, reply: ChatMessage): Promise<void> {
  const { sessionId } = chat;
  show(chat, [{ ...reply, status: 'aborted' }]);
  try {
    const body = { sessionId, messageId: reply.id, content: reply.content };
    const answer = await fetchJSON<Partial<StopResponseBody> | null>(chat.fetcher, chat.endpoint + ROUTE.stop, body);
    const record = answer?.message;
    // Checked like every record from the network: of this conversation, the reply stopped, final.
    if (!isFinalReply(record, sessionId, reply.id)) throw new ChatError('bad_response', 'bad stop answer');
    show(chat, [record]);
  } catch (cause) {
    fail(chat, cause);
  }
}
