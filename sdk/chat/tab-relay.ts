import { isFinalStatus } from '../protocol';
import type { ChatContext } from './chat-context';
import { ChatError } from '../errors';
import { forgetConversation, fromElsewhere, show } from './chat-view';
import type { TabMessage } from '../tabs';

/** Shows what another tab says changed. Neither written nor told again: the tab that changed it did both. */
export function applyTabMessage(chat: ChatContext, message: TabMessage): void {
  // Deleted in another tab, or on another device (a `ConversationList` saw it go): forgotten here too, untold.
  if (message.clear) return void forgetConversation(chat, new ChatError('conversation_deleted', 'deleted elsewhere'), false);
  // A tab still reading a reply this tab already shows final (history was faster here) never reopens it.
  const put = (message.put ?? []).filter((record) => isFinalStatus(record.status) || !isFinalStatus(chat.messages.get(record.id)?.status ?? 'pending'));
  show(chat, fromElsewhere(chat, put), message.drops ?? [], false, false);
}
