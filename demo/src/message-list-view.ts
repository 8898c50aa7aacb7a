/**
 * Renders the conversation into an `<ol role="log">`, keyed by message id: an element is created once and then only
 * patched, so a streaming reply updates one text node per delta and screen readers are not handed the whole log
 * again on every token.
 */
import type { ChatMessage, MessageStatus } from 'chatkeep';

export interface MessageListView {
  /** Brings the list in line with `messages` (in order). */
  render(messages: readonly ChatMessage[], context: RenderContext): void;
}

export interface RenderContext {
  /** Whether the browser is offline now: a pending turn then reads "sends when you are back online". */
  offline: boolean;
}

/**
 * @example
 * const view = createMessageListView(document.querySelector('#messages')!);
 * chat.subscribe(() => view.render(chat.messages, { offline: !navigator.onLine }));
 */
export function createMessageListView(list: HTMLOListElement): MessageListView {
  const rows = new Map<string, MessageRow>();

  return {
    render(messages, context) {
      const seen = new Set<string>();
      let previous: Element | null = null;
      for (const message of messages) {
        seen.add(message.id);
        let row = rows.get(message.id);
        if (!row) {
          row = createRow(list.ownerDocument, message.id);
          rows.set(message.id, row);
        }
        patchRow(row, message, context);
        // Move only what is out of place, so unchanged rows keep their DOM position (and any text selection).
        const expected: Element | null = previous ? previous.nextElementSibling : list.firstElementChild;
        if (expected !== row.item) list.insertBefore(row.item, expected);
        previous = row.item;
      }
      for (const [id, row] of rows) {
        if (!seen.has(id)) {
          row.item.remove();
          rows.delete(id);
        }
      }
    },
  };
}

interface MessageRow {
  item: HTMLLIElement;
  content: HTMLDivElement;
  meta: HTMLParagraphElement;
}

function createRow(doc: Document, id: string): MessageRow {
  const item = doc.createElement('li');
  item.className = 'message';
  item.dataset.messageId = id;
  const bubble = doc.createElement('div');
  bubble.className = 'bubble';
  const content = doc.createElement('div');
  content.className = 'message-content';
  bubble.append(content);
  const meta = doc.createElement('p');
  meta.className = 'message-meta';
  item.append(bubble, meta);
  return { item, content, meta };
}

function patchRow(row: MessageRow, message: ChatMessage, context: RenderContext): void {
  const { item, content, meta } = row;
  setData(item, 'role', message.role);
  setData(item, 'status', message.status);
  setData(item, 'errorCode', message.error?.code);
  // aria-busy holds back the live-region announcement of a reply until it has finished streaming, so a screen
  // reader reads it once, whole, instead of word by word.
  if (message.status === 'streaming') item.setAttribute('aria-busy', 'true');
  else item.removeAttribute('aria-busy');
  if (content.textContent !== message.content) content.textContent = message.content;
  const label = metaLabel(message, context);
  if (meta.textContent !== label) meta.textContent = label;
  meta.hidden = label === '';
}

function setData(item: HTMLElement, key: string, value: string | undefined): void {
  if (value === undefined) delete item.dataset[key];
  else if (item.dataset[key] !== value) item.dataset[key] = value;
}

const STATUS_LABEL: Record<MessageStatus, string> = {
  pending: 'Waiting to send',
  streaming: 'Replying…',
  complete: '',
  error: 'Reply failed',
  aborted: 'Stopped',
};

function metaLabel(message: ChatMessage, context: RenderContext): string {
  if (message.status === 'pending' && context.offline) return 'Offline: sends when you are back online';
  if (message.status === 'error') {
    return message.error ? `${STATUS_LABEL.error}: ${message.error.message}` : STATUS_LABEL.error;
  }
  if (message.status === 'complete') return formatTime(message.timestamp);
  return STATUS_LABEL[message.status];
}

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
