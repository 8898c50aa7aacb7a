import type { ChatMessage } from '../protocol';
import { isReadHere, type ChatContext } from './chat-context';
import { fromElsewhere, notify, show } from './chat-view';
import type { TabMessage } from '../tabs';

/** A reply grown by text as the fold grows it: its parts (when it has them) end in that text too. */
function withText(reply: ChatMessage, text: string): ChatMessage {
  const grown = { ...reply, content: reply.content + text };
  if (reply.parts) {
    const last = reply.parts.at(-1);
    grown.parts =
      last?.type === 'text' ? [...reply.parts.slice(0, -1), { type: 'text', text: last.text + text }] : [...reply.parts, { type: 'text', text }];
  }
  return grown;
}

/**
 * Shows what another tab says changed. Neither written nor told again: the tab that changed it did both. Text a
 * streaming reply grew by is taken only where this tab shows exactly the text it grew from, and never for a reply
 * this tab reads itself.
 */
export function applyTabMessage(chat: ChatContext, message: TabMessage): void {
  if (message.clear) {
    chat.messages.reset([]);
    notify(chat);
  }
  const append = message.append;
  const target = append && chat.messages.get(append.id);
  if (append && target?.status === 'streaming' && target.content.length === append.from && !isReadHere(chat, target.replyTo))
    show(chat, [withText(target, append.text)], [], false, false);
  show(chat, fromElsewhere(chat, message.put ?? []), message.drops ?? [], false, false);
}
