/**
 * Renders the conversation into an `<ol role="log">`, keyed by message id: an element is created once and then only
 * patched. A row whose message object and context are unchanged is skipped outright (the client keeps an unchanged
 * record the same object), so a streamed word touches one row, not every timestamp in a long conversation. The
 * streaming reply's Markdown is rendered at most once per frame, however many deltas arrive in between.
 */
import type { ChatMessage, MessageStatus } from 'chatkeep';
import { renderMarkdown } from './markdown';
import { createPartsView, type PartsView } from './parts-view';

export interface MessageListView {
  /** Brings the list in line with `messages` (in order). */
  render(messages: readonly ChatMessage[], context: RenderContext): void;
}

export interface RenderContext {
  /** Whether the browser is offline now: a pending turn then reads "sends when you are back online". */
  offline: boolean;
  /** Why the server is not taking turns right now (a 503's message), shown on turns waiting to send. */
  serverProblem?: string;
}

/** Schedules a callback before the next paint; `requestAnimationFrame` in the page. */
export type FrameScheduler = (callback: () => void) => unknown;

/**
 * @example
 * const view = createMessageListView(document.querySelector('#messages')!);
 * chat.subscribe(() => view.render(chat.messages, { offline: !navigator.onLine }));
 */
export function createMessageListView(
  list: HTMLOListElement,
  nextFrame: FrameScheduler = (callback) => requestAnimationFrame(callback),
): MessageListView {
  const rows = new Map<string, MessageRow>();
  /** Streaming rows whose text changed since the last frame. */
  const stale = new Set<MessageRow>();
  let frameRequested = false;

  const renderStale = () => {
    frameRequested = false;
    for (const row of stale) renderContent(row);
    stale.clear();
  };

  return {
    render(messages, context) {
      const seen = new Set<string>();
      let previous: Element | null = null;
      for (const message of messages) {
        seen.add(message.id);
        let row = rows.get(message.id);
        if (!row) {
          row = createRow(list.ownerDocument, message);
          rows.set(message.id, row);
        }
        if (patchRow(row, message, context)) {
          if (message.status === 'streaming' && row.item.isConnected) {
            stale.add(row);
            if (!frameRequested) {
              frameRequested = true;
              nextFrame(renderStale);
            }
          } else {
            // Final (or first shown): drawn now, so the text and its status change together.
            stale.delete(row);
            renderContent(row);
          }
        }
        // Move only what is out of place, so unchanged rows keep their DOM position (and any text selection).
        const expected: Element | null = previous ? previous.nextElementSibling : list.firstElementChild;
        if (expected !== row.item) list.insertBefore(row.item, expected);
        previous = row.item;
      }
      for (const [id, row] of rows) {
        if (!seen.has(id)) {
          row.item.remove();
          rows.delete(id);
          stale.delete(row);
        }
      }
    },
  };
}

interface MessageRow {
  item: HTMLLIElement;
  content: HTMLDivElement;
  meta: HTMLParagraphElement;
  /** The record and context last drawn; the same ones again mean nothing to do. */
  message?: ChatMessage;
  offline?: boolean;
  serverProblem?: string;
  /** The text the content element shows now. */
  shownContent?: string;
  /** The parts it shows now (a reply with reasoning or tool calls), drawn by {@link PartsView}. */
  shownParts?: ChatMessage['parts'];
  parts?: PartsView;
}

function createRow(doc: Document, message: ChatMessage): MessageRow {
  const item = doc.createElement('li');
  item.className = 'message';
  item.dataset.messageId = message.id;
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

/** Brings a row's attributes and label in line; returns whether its text needs drawing. */
function patchRow(row: MessageRow, message: ChatMessage, context: RenderContext): boolean {
  if (row.message === message && row.offline === context.offline && row.serverProblem === context.serverProblem) {
    return false;
  }
  row.message = message;
  row.offline = context.offline;
  row.serverProblem = context.serverProblem;
  const { item, meta } = row;
  setData(item, 'role', message.role);
  setData(item, 'status', message.status);
  setData(item, 'errorCode', message.error?.code);
  // aria-busy holds back the live-region announcement of a reply until it has finished streaming, so a screen
  // reader reads it once, whole, instead of word by word.
  if (message.status === 'streaming') item.setAttribute('aria-busy', 'true');
  else item.removeAttribute('aria-busy');
  const label = metaLabel(message, context);
  if (meta.textContent !== label) meta.textContent = label;
  meta.hidden = label === '';
  return row.shownContent !== message.content || row.shownParts !== message.parts;
}

function renderContent(row: MessageRow): void {
  const message = row.message;
  if (!message || (row.shownContent === message.content && row.shownParts === message.parts)) return;
  row.shownContent = message.content;
  row.shownParts = message.parts;
  if (message.parts !== undefined) {
    // A reply with parts (reasoning, tool calls) is drawn part by part; one view per row keeps each card's element.
    if (row.parts === undefined) {
      row.parts = createPartsView(row.content.ownerDocument);
      row.content.replaceChildren(row.parts.element);
    }
    row.parts.render(message.parts, message.status === 'streaming');
    return;
  }
  // A person's own turn is shown exactly as typed; only replies are read as Markdown.
  if (message.role === 'user') row.content.textContent = message.content;
  else row.content.replaceChildren(renderMarkdown(message.content));
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
  if (message.status === 'pending') {
    if (context.offline) return 'Offline: sends when you are back online';
    if (context.serverProblem) return `${STATUS_LABEL.pending}: ${context.serverProblem}`;
  }
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
