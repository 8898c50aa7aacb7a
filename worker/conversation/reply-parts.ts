import {
  EVENT,
  MAX_TOOL_JSON_BYTES,
  type ChatPart,
  type ErrorInfo,
  type EventDataMap,
  type JSONValue,
  type ToolPart,
} from '../../sdk/protocol';
import { ModelError, type ModelPiece } from '../providers/model-provider';
import { abortRunningTools } from '../store/stale-streaming';

/** The events a reply's parts travel as, between `start` and the final event. */
export type PartEventName = typeof EVENT.delta | typeof EVENT.reasoning | typeof EVENT.toolCall | typeof EVENT.toolResult;

/** One event to send: its name, its data, and its id in the reply's one sequence. */
export type PartEvent = { [N in PartEventName]: { name: N; data: EventDataMap[N]; id: number } }[PartEventName];

/** A reply's record fields that come from its parts. */
export interface PartsRecord {
  /** The text parts joined: the record's `content`. */
  content: string;
  /** The parts, when the reply has anything but text (else the record carries none). */
  parts?: ChatPart[];
}

/** Options for {@link ReplyParts}. */
export interface ReplyPartsOptions {
  /**
   * The most bytes (UTF-8 of the JSON text) a tool's input or output may take; a larger one makes the part `error`,
   * code `tool_output_too_large`.
   * @defaultValue {@link MAX_TOOL_JSON_BYTES} (64 KiB)
   */
  maxToolJsonBytes?: number;
}

/** The event id of `start`: every reply's sequence begins with it. */
export const START_EVENT_ID = 1;

const NO_EVENTS: readonly PartEvent[] = [];
const encoder = new TextEncoder();

/**
 * One reply's parts, held in memory while it streams: it turns each model piece into the events to send, under one
 * increasing sequence of event ids (`start` is 1, the first piece's event 2), and answers what a stream resumed
 * after any event id needs to catch up exactly. No storage here: the conversation object checkpoints {@link parts}
 * and writes {@link finish} (or {@link stop}) as the final record.
 *
 * For the catch-up, each event notes the part it touched and that part's text length after it: a few numbers per
 * event, not a copy of the text.
 *
 * @example
 * ```ts
 * const parts = new ReplyParts(assistantMessage.id);
 * for (const event of parts.add({ type: 'reasoning', text: 'Checking the clock…' })) sse.event(event.name, event.data, event.id);
 * parts.catchUp(3); // what a stream resumed with `Last-Event-ID: 3` is sent before live events
 * ```
 */
export class ReplyParts {
  private readonly replyId: string;
  private readonly maxToolJsonBytes: number;
  private readonly list: ChatPart[] = [];
  /** Per part: the id of the event that made it, and of the last event that changed it. */
  private readonly createdBy: number[] = [];
  private readonly lastChangedBy: number[] = [];
  /** Per event id: the index of the part it touched, and (text, reasoning) that part's text length after it. */
  private readonly eventPart: number[] = [];
  private readonly eventTextEnd: number[] = [];
  private readonly toolIndex = new Map<string, number>();
  private joinedText = '';
  private hasNonText = false;
  private halted = false;
  private eventId = START_EVENT_ID;

  constructor(replyId: string, options: ReplyPartsOptions = {}) {
    this.replyId = replyId;
    this.maxToolJsonBytes = options.maxToolJsonBytes ?? MAX_TOOL_JSON_BYTES;
  }

  /** The id of the last event given out (1, `start`'s, before any piece). */
  get lastEventId(): number {
    return this.eventId;
  }

  /** The reply's text so far: its text parts joined, the record's `content`. */
  get text(): string {
    return this.joinedText;
  }

  /**
   * The parts as they stand, for a checkpoint (a running tool stays `running`): a copy, so a write in flight keeps
   * what it was given. `undefined` while the reply is text only, whose record carries no parts.
   */
  get parts(): ChatPart[] | undefined {
    return this.hasNonText ? this.list.map((part) => ({ ...part })) : undefined;
  }

  /** `true` while a tool the model called has no result yet. */
  get toolRunning(): boolean {
    return this.list.some((part) => part.type === 'tool' && part.state === 'running');
  }

  /** Takes the next event id, for the reply's final event (`done` or `error`). */
  takeEventId(): number {
    return ++this.eventId;
  }

  /**
   * Takes one piece from the model, returning the events it makes (none for an empty text, a repeated tool call or
   * a result for no running call; two for a tool call whose input is over the limit: the call, and its error).
   * After {@link stop}, nothing more is taken.
   *
   * @throws {ModelError} `model_error` for a tool call without an id or a name, which no client could show
   */
  add(piece: ModelPiece): readonly PartEvent[] {
    if (this.halted) return NO_EVENTS;
    if (typeof piece === 'string') return this.addText('text', piece);
    switch (piece.type) {
      case 'text':
      case 'reasoning':
        return this.addText(piece.type, piece.text);
      case 'tool-call':
        return this.addToolCall(piece.toolCallId, piece.name, piece.input);
      case 'tool-result':
        return this.addToolResult(piece.toolCallId, piece.error === undefined ? { output: piece.output } : { error: piece.error });
    }
  }

  /**
   * The events that bring a stream that has everything through event `afterEventId` up to now: the rest of the text
   * or reasoning part that event was in as one event, the result of each tool that was running then and has finished
   * since, and then one event per later part (a tool part: its call and, if it finished, its result). Without an id
   * (a stream attached from the start, after `start`): one event per part so far. Each event carries the id of the
   * last original event it stands for, so the ids keep increasing and a stream cut again resumes exactly.
   */
  catchUp(afterEventId: number = START_EVENT_ID): PartEvent[] {
    const after = Math.max(START_EVENT_ID, Math.min(afterEventId, this.eventId));
    const events: PartEvent[] = [];
    for (let index = 0; index < this.list.length; index++) {
      const part = this.list[index]!;
      const created = this.createdBy[index]! <= after;
      if (part.type === 'tool') {
        if (!created) events.push(this.toolCallEvent(part, this.createdBy[index]!));
        // A tool part made and finished by one event (an input over the limit) has its result in the next id.
        const resultId = this.lastChangedBy[index]!;
        if (part.state !== 'running' && resultId > after) events.push(this.toolResultEvent(part, resultId));
      } else {
        const from = created ? this.textEndAt(index, after) : 0;
        if (from < part.text.length) events.push(this.textEvent(part.type, part.text.slice(from), this.lastChangedBy[index]!));
      }
    }
    // Parts are in the order they were made, but a tool's result may come after later parts: order by id.
    return events.sort((a, b) => a.id - b.id);
  }

  /** The record's parts once the reply ended without a stop: a tool still running then ends `error`, `aborted`. */
  finish(): PartsRecord {
    this.halted = true;
    return this.record(this.list.length, this.joinedText);
  }

  /**
   * The reply is stopped, the user having seen `acceptedText` of its text (a prefix of {@link text}, as the stop
   * route accepts it): the record keeps the parts up to where that text ends — the parts before and among it, and
   * the parts after it up to the next text the user did not see — and a tool still running ends `error`, code
   * `aborted`. Nothing more is taken after it.
   */
  stop(acceptedText: string): PartsRecord {
    this.halted = true;
    if (!this.joinedText.startsWith(acceptedText)) acceptedText = '';
    let textLeft = acceptedText.length;
    let kept = 0;
    for (; kept < this.list.length; kept++) {
      const part = this.list[kept]!;
      if (part.type !== 'text') continue;
      if (textLeft < part.text.length) break;
      textLeft -= part.text.length;
    }
    // The text part the user saw only the beginning of is kept to there.
    const cut = this.list[kept];
    const parts = this.record(kept, acceptedText);
    if (cut?.type === 'text' && textLeft > 0 && parts.parts) parts.parts.push({ type: 'text', text: cut.text.slice(0, textLeft) });
    return parts;
  }

  /** The first `count` parts (running tools aborted) as record fields, with `content`. */
  private record(count: number, content: string): PartsRecord {
    if (!this.hasNonText) return { content };
    return { content, parts: abortRunningTools(this.list.slice(0, count)) };
  }

  private addText(type: 'text' | 'reasoning', text: string): readonly PartEvent[] {
    if (text.length === 0) return NO_EVENTS;
    const id = ++this.eventId;
    let index = this.list.length - 1;
    const last = this.list[index];
    if (last !== undefined && last.type === type) last.text += text;
    else {
      index = this.list.push({ type, text }) - 1;
      this.createdBy[index] = id;
      if (type === 'reasoning') this.hasNonText = true;
    }
    if (type === 'text') this.joinedText += text;
    this.lastChangedBy[index] = id;
    this.eventPart[id] = index;
    this.eventTextEnd[id] = (this.list[index] as { text: string }).text.length;
    return [this.textEvent(type, text, id)];
  }

  private addToolCall(toolCallId: unknown, name: unknown, input: unknown): readonly PartEvent[] {
    if (typeof toolCallId !== 'string' || toolCallId.length === 0 || typeof name !== 'string' || name.length === 0)
      throw new ModelError('model_error', 'The model called a tool without an id or a name');
    if (this.toolIndex.has(toolCallId)) return NO_EVENTS;
    const checked = this.checkJson(input, 'input');
    const part: ToolPart = { type: 'tool', toolCallId, name, input: 'value' in checked ? checked.value : null, state: 'running' };
    const id = ++this.eventId;
    const index = this.list.push(part) - 1;
    this.hasNonText = true;
    this.toolIndex.set(toolCallId, index);
    this.createdBy[index] = this.lastChangedBy[index] = id;
    this.eventPart[id] = index;
    const events = [this.toolCallEvent(part, id)];
    if ('error' in checked) events.push(...this.finishTool(index, checked));
    return events;
  }

  private addToolResult(toolCallId: string, result: { output: unknown } | { error: ErrorInfo }): readonly PartEvent[] {
    const index = this.toolIndex.get(toolCallId);
    if (index === undefined || (this.list[index] as ToolPart).state !== 'running') return NO_EVENTS;
    return this.finishTool(index, 'error' in result ? { error: result.error } : this.checkJson(result.output, 'output'));
  }

  private finishTool(index: number, result: { value: JSONValue } | { error: ErrorInfo }): PartEvent[] {
    const part = this.list[index] as ToolPart;
    if ('value' in result) {
      part.state = 'done';
      part.output = result.value;
    } else {
      part.state = 'error';
      part.error = { code: String(result.error.code), message: String(result.error.message) };
    }
    const id = ++this.eventId;
    this.lastChangedBy[index] = id;
    this.eventPart[id] = index;
    return [this.toolResultEvent(part, id)];
  }

  /**
   * A tool's input or output as the JSON value every reader of the reply gets (what `JSON.stringify` makes of it,
   * `undefined` as `null`), or the error it makes the part: over the size limit, or no JSON at all.
   */
  private checkJson(value: unknown, what: 'input' | 'output'): { value: JSONValue } | { error: ErrorInfo } {
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      return { error: { code: 'tool_error', message: `The tool's ${what} is not JSON` } };
    }
    if (json === undefined) return { value: null };
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit: most values are measured without encoding them.
    const bytes = json.length * 3 <= this.maxToolJsonBytes ? json.length : encoder.encode(json).length;
    if (bytes > this.maxToolJsonBytes)
      return { error: { code: 'tool_output_too_large', message: `The tool's ${what} is over ${this.maxToolJsonBytes} bytes` } };
    return { value: JSON.parse(json) as JSONValue };
  }

  /** The text length part `index` had once event `after` was sent (it was made by then). */
  private textEndAt(index: number, after: number): number {
    const part = this.list[index] as { text: string };
    if (this.lastChangedBy[index]! <= after) return part.text.length;
    // Changed after `after`, so it was the part being written then; events between its last change before `after`
    // and `after` itself can only be results of earlier tools: step back over them.
    for (let id = after; id >= this.createdBy[index]!; id--) if (this.eventPart[id] === index) return this.eventTextEnd[id]!;
    return 0;
  }

  private textEvent(type: 'text' | 'reasoning', text: string, id: number): PartEvent {
    return type === 'text'
      ? { name: EVENT.delta, data: { id: this.replyId, text }, id }
      : { name: EVENT.reasoning, data: { id: this.replyId, text }, id };
  }

  private toolCallEvent(part: ToolPart, id: number): PartEvent {
    const { toolCallId, name, input } = part;
    return { name: EVENT.toolCall, data: { id: this.replyId, toolCallId, name, input }, id };
  }

  private toolResultEvent(part: ToolPart, id: number): PartEvent {
    const { toolCallId } = part;
    const data =
      part.state === 'error'
        ? { id: this.replyId, toolCallId, error: part.error! }
        : { id: this.replyId, toolCallId, output: part.output ?? null };
    return { name: EVENT.toolResult, data, id };
  }
}
