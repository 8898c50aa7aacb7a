/**
 * A reply's parts, drawn in order: reasoning folded under a "Thought for N s" summary (open while the model
 * thinks, so a person sees it stream), each tool call as a small card (its name, input, and result or error, with a
 * spinner while it runs), and the text as Markdown. Each part keeps its element across renders and is redrawn only
 * when it changed, so a card is never drawn twice and a summary opened by a click stays open.
 */
import type { ChatPart, ToolPart } from 'chatkeep';
import { renderMarkdown } from './markdown';

export interface PartsView {
  readonly element: HTMLDivElement;
  /** Brings the drawing in line with `parts`; `streaming` says whether the reply is still being written. */
  render(parts: readonly ChatPart[], streaming: boolean): void;
}

/** One part's element and what it shows now. */
interface Slot {
  type: ChatPart['type'];
  element: HTMLElement;
  /** A key of what was drawn: the text, or the tool's state. */
  drawn?: string;
  redraw(part: ChatPart, thinking: boolean): void;
}

/** @param now the clock, in ms, that times the reasoning */
export function createPartsView(doc: Document, now: () => number = () => performance.now()): PartsView {
  const element = doc.createElement('div');
  element.className = 'message-parts';
  const slots: Slot[] = [];
  return {
    element,
    render(parts, streaming) {
      parts.forEach((part, index) => {
        let slot = slots[index];
        if (slot === undefined || slot.type !== part.type) {
          const made = makeSlot(doc, part, now);
          if (slot === undefined) element.append(made.element);
          else slot.element.replaceWith(made.element);
          slots[index] = slot = made;
        }
        // The model is thinking while its reasoning is the newest part of a reply still streaming.
        slot.redraw(part, streaming && index === parts.length - 1);
      });
      for (const stale of slots.splice(parts.length)) stale.element.remove();
    },
  };
}

function makeSlot(doc: Document, part: ChatPart, now: () => number): Slot {
  if (part.type === 'reasoning') return reasoningSlot(doc, now);
  if (part.type === 'tool') return toolSlot(doc);
  const element = doc.createElement('div');
  element.className = 'message-text';
  const slot: Slot = {
    type: 'text',
    element,
    redraw(next) {
      if (next.type !== 'text' || slot.drawn === next.text) return;
      slot.drawn = next.text;
      element.replaceChildren(renderMarkdown(next.text));
    },
  };
  return slot;
}

function reasoningSlot(doc: Document, now: () => number): Slot {
  const details = doc.createElement('details');
  details.className = 'reasoning';
  const summary = doc.createElement('summary');
  const body = doc.createElement('div');
  body.className = 'reasoning-text';
  // The reply is announced when it has finished; the reasoning is there to read on demand, never word by word.
  body.setAttribute('aria-live', 'off');
  details.append(summary, body);
  let startedMs: number | undefined;
  let endedMs: number | undefined;
  let chosenByUser = false;
  summary.addEventListener('click', () => {
    chosenByUser = true;
  });
  const slot: Slot = {
    type: 'reasoning',
    element: details,
    redraw(part, thinking) {
      if (part.type !== 'reasoning') return;
      if (thinking) startedMs ??= now();
      else if (startedMs !== undefined) endedMs ??= now();
      if (body.textContent !== part.text) body.textContent = part.text;
      details.dataset.thinking = String(thinking);
      if (!chosenByUser) details.open = thinking;
      const label = thinking ? 'Thinking…' : thoughtLabel(startedMs, endedMs);
      if (summary.textContent !== label) summary.textContent = label;
    },
  };
  return slot;
}

/** "Thought for N s" when this page saw the thinking; a reply loaded whole says only that it thought. */
function thoughtLabel(startedMs: number | undefined, endedMs: number | undefined): string {
  if (startedMs === undefined || endedMs === undefined) return 'Thought';
  return `Thought for ${Math.max(1, Math.round((endedMs - startedMs) / 1000))} s`;
}

function toolSlot(doc: Document): Slot {
  const card = doc.createElement('div');
  card.className = 'tool-card';
  card.setAttribute('aria-live', 'off');
  const slot: Slot = {
    type: 'tool',
    element: card,
    redraw(part) {
      if (part.type !== 'tool') return;
      const key = `${part.toolCallId}:${part.state}`;
      if (slot.drawn === key) return;
      slot.drawn = key;
      drawTool(doc, card, part);
    },
  };
  return slot;
}

function drawTool(doc: Document, card: HTMLElement, part: ToolPart): void {
  card.dataset.toolCallId = part.toolCallId;
  card.dataset.state = part.state;
  const header = doc.createElement('p');
  header.className = 'tool-name';
  if (part.state === 'running') {
    const spinner = doc.createElement('span');
    spinner.className = 'spinner';
    spinner.setAttribute('role', 'status');
    spinner.setAttribute('aria-label', 'Running');
    header.append(spinner);
  }
  const name = doc.createElement('code');
  name.textContent = part.name;
  header.append(name);
  const input = jsonBlock(doc, 'tool-input', part.input);
  const result =
    part.state === 'done'
      ? jsonBlock(doc, 'tool-output', part.output ?? null)
      : part.state === 'error'
        ? errorLine(doc, part)
        : undefined;
  card.replaceChildren(...[header, input, result].filter((child): child is HTMLElement => child !== undefined));
}

function jsonBlock(doc: Document, className: string, value: unknown): HTMLElement {
  const block = doc.createElement('pre');
  block.className = className;
  block.textContent = JSON.stringify(value, null, 2);
  return block;
}

function errorLine(doc: Document, part: ToolPart): HTMLElement {
  const line = doc.createElement('p');
  line.className = 'tool-error';
  line.textContent = part.error?.code === 'aborted' ? 'Stopped before it finished' : (part.error?.message ?? 'The tool failed');
  return line;
}
