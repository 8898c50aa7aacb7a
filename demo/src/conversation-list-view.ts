/** The conversation list in the sidebar. */
import type { ConversationEntry } from './conversation-store';

export interface ConversationListOptions {
  /** The `<ul>` to fill. */
  list: HTMLUListElement;
  /** Called with the session id of the conversation the user picked. */
  onSelect: (sessionId: string) => void;
}

/** Redraws the list, marking the open conversation with `aria-current`. */
export type RenderConversationList = (entries: readonly ConversationEntry[], currentSessionId: string) => void;

/**
 * @example
 * const render = createConversationListView({ list, onSelect: open });
 * render(store.list(), currentSessionId);
 */
export function createConversationListView({ list, onSelect }: ConversationListOptions): RenderConversationList {
  list.addEventListener('click', (event) => {
    const button = (event.target as Element | null)?.closest<HTMLButtonElement>('button[data-session-id]');
    const sessionId = button?.dataset.sessionId;
    if (sessionId) onSelect(sessionId);
  });

  return (entries, currentSessionId) => {
    const doc = list.ownerDocument;
    const items = entries.map((entry) => {
      const item = doc.createElement('li');
      const button = doc.createElement('button');
      button.type = 'button';
      button.dataset.sessionId = entry.sessionId;
      if (entry.sessionId === currentSessionId) button.setAttribute('aria-current', 'true');
      const title = doc.createElement('span');
      title.className = 'conversation-title';
      title.textContent = entry.title || 'New chat';
      const time = doc.createElement('span');
      time.className = 'conversation-time';
      time.textContent = formatWhen(entry.updatedAt);
      button.append(title, time);
      item.append(button);
      return item;
    });
    list.replaceChildren(...items);
  };
}

function formatWhen(ms: number): string {
  const date = new Date(ms);
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString([], { month: 'short', day: 'numeric' });
}
