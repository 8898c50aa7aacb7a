/** The conversation list in the sidebar: the owner's conversations, newest first, each renamable and deletable. */
import type { ConversationSummary } from 'chatkeep';

export interface ConversationListOptions {
  /** The `<ul>` to fill. */
  list: HTMLUListElement;
  /** Called with the session id of the conversation the user picked. */
  onSelect: (sessionId: string) => void;
  /** Called with a new title the user typed (trimmed, not empty, changed). */
  onRename: (sessionId: string, title: string) => void;
  /** Called when the user asked to delete a conversation (and confirmed it). */
  onDelete: (sessionId: string) => void;
  /** @defaultValue `Date.now` */
  now?: () => number;
}

/** Redraws the list, marking the open conversation with `aria-current`. */
export type RenderConversationList = (conversations: readonly ConversationSummary[], currentSessionId: string) => void;

/** The relative times ("5 min ago") move on by themselves this often. */
const TIME_REFRESH_MS = 60_000;
/** The Worker's limit on a title. */
const TITLE_MAX_CHARS = 120;

/**
 * @example
 * const render = createConversationListView({ list, onSelect: open, onRename, onDelete });
 * conversations.subscribe(() => render(conversations.conversations, chat.sessionId));
 */
export function createConversationListView({ list, onSelect, onRename, onDelete, now = Date.now }: ConversationListOptions): RenderConversationList {
  const doc = list.ownerDocument;
  let shown: { conversations: readonly ConversationSummary[]; currentSessionId: string } | undefined;
  /** While a title is being edited the list is not redrawn (it would take the field away); it is redrawn after. */
  let editing: string | undefined;

  const redraw = () => {
    if (shown === undefined || editing !== undefined) return;
    const { conversations, currentSessionId } = shown;
    list.replaceChildren(...conversations.map((summary) => item(summary, summary.sessionId === currentSessionId)));
  };

  function item(summary: ConversationSummary, current: boolean): HTMLLIElement {
    const li = doc.createElement('li');
    li.dataset.conversationId = summary.sessionId;
    const open = doc.createElement('button');
    open.type = 'button';
    open.className = 'conversation-open';
    open.dataset.sessionId = summary.sessionId;
    if (current) open.setAttribute('aria-current', 'true');
    const title = span('conversation-title', summary.title || 'New chat');
    const preview = span('conversation-preview', summary.lastMessage?.preview ?? '');
    const time = doc.createElement('time');
    time.className = 'conversation-time';
    time.dateTime = summary.updatedAt;
    time.textContent = relativeTime(Date.parse(summary.updatedAt), now());
    open.append(title, preview, time);
    const actions = doc.createElement('div');
    actions.className = 'conversation-actions';
    actions.append(action('rename', '✎', `Rename “${summary.title}”`), action('delete', '×', `Delete “${summary.title}”`));
    li.append(open, actions);
    return li;
  }

  function span(className: string, text: string): HTMLSpanElement {
    const element = doc.createElement('span');
    element.className = className;
    element.textContent = text;
    return element;
  }

  function action(name: string, glyph: string, label: string): HTMLButtonElement {
    const button = doc.createElement('button');
    button.type = 'button';
    button.className = 'conversation-action';
    button.dataset.action = name;
    button.setAttribute('aria-label', label);
    button.title = label;
    button.textContent = glyph;
    return button;
  }

  function startRename(li: HTMLLIElement, sessionId: string): void {
    const titleElement = li.querySelector<HTMLElement>('.conversation-title');
    const before = titleElement?.textContent ?? '';
    const field = doc.createElement('input');
    field.className = 'conversation-rename';
    field.value = before;
    field.maxLength = TITLE_MAX_CHARS;
    field.setAttribute('aria-label', 'Conversation title');
    editing = sessionId;
    li.dataset.editing = 'true';
    li.querySelector('.conversation-open')?.replaceWith(field);
    let done = false;
    const finish = (save: boolean) => {
      if (done) return;
      done = true;
      editing = undefined;
      const title = field.value.trim();
      if (save && title !== '' && title !== before) onRename(sessionId, title);
      redraw();
    };
    field.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') finish(true);
      if (event.key === 'Escape') finish(false);
    });
    field.addEventListener('blur', () => finish(true));
    field.focus();
    field.select();
  }

  list.addEventListener('click', (event) => {
    const target = event.target as Element | null;
    const li = target?.closest<HTMLLIElement>('li[data-conversation-id]');
    const sessionId = li?.dataset.conversationId;
    if (li == null || sessionId === undefined) return;
    const name = target?.closest<HTMLElement>('[data-action]')?.dataset.action;
    if (name === 'rename') startRename(li, sessionId);
    else if (name === 'delete') {
      const title = li.querySelector('.conversation-title')?.textContent ?? 'this conversation';
      if (confirm(`Delete “${title}” for good, on every device?`)) onDelete(sessionId);
    } else if (target?.closest('.conversation-open')) onSelect(sessionId);
  });
  setInterval(redraw, TIME_REFRESH_MS);

  return (conversations, currentSessionId) => {
    shown = { conversations, currentSessionId };
    redraw();
  };
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** "just now", "5 min ago", "3 hours ago", "yesterday", then a date. */
export function relativeTime(thenMs: number, nowMs: number): string {
  const seconds = Math.max(0, (nowMs - thenMs) / 1000);
  if (!Number.isFinite(seconds)) return '';
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return relative.format(-Math.floor(seconds / 60), 'minute');
  if (seconds < 86_400) return relative.format(-Math.floor(seconds / 3600), 'hour');
  if (seconds < 7 * 86_400) return relative.format(-Math.floor(seconds / 86_400), 'day');
  return new Date(thenMs).toLocaleDateString([], { month: 'short', day: 'numeric' });
}
