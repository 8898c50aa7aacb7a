import { EVENT, type ChatMessage, type ErrorInfo } from '../../sdk/protocol';
import { ModelError, type ModelMessage, type ModelPiece, type ModelProvider } from '../providers/model-provider';
import { JsonText } from '../store/json-text';
import type { SessionStore } from '../store/session-store';
import { isoAfter } from '../store/timestamps';
import { writeWithRetry } from '../store/write-with-retry';
import { readPieces } from '../stream/read-pieces';
import type { SseStream } from '../stream/sse-stream';
import { CONVERSATION_DELETED_ERROR, finalEvent, finalRecord, NOT_SAVED_ERROR, type FinalEvent } from './final-record';
import { ReplyParts, START_EVENT_ID, type PartEvent } from './reply-parts';
import { acceptedStopContent } from './stop-content';

/** What one reply run by the conversation object needs. */
export interface LiveReplyInput {
  store: SessionStore;
  provider: ModelProvider;
  messages: ModelMessage[];
  userMessage: ChatMessage;
  /** The assistant record as first written: status `streaming`, content `""`. */
  assistantMessage: ChatMessage;
  checkpointIntervalMs: number;
  modelIdleTimeoutMs: number;
  now: () => number;
  log: (error: unknown) => void;
  /**
   * Keeps the reply's record so far where a restart finds it: the object's own storage, one row rewritten (KV gets
   * only the placeholder and the final record; a follower has the text live).
   */
  checkpoint: (snapshot: ChatMessage) => Promise<void>;
  /** Keeps a final record KV refused in the object's own storage, to be offered to KV again; rejects if it cannot. */
  owe: (record: ChatMessage) => Promise<void>;
  /** Called once, when the reply has ended and nothing more of it will be written. */
  onEnd: (final: ChatMessage | undefined) => void;
}

/** An event made before `start` could go out, with its text's JSON when it is a `delta`. */
type EarlyEvent = [event: PartEvent, textJson: string | undefined];

/**
 * One reply, owned by its conversation's Durable Object: it reads the model to the end whoever is listening, sends
 * every event (text, reasoning, tool calls and results) to every attached stream under one sequence of event ids,
 * checkpoints the text and parts to the object's storage at most once an interval and writes the final record to KV. The parts live here,
 * in memory ({@link ReplyParts}, which also answers what a stream resumed after any event id is owed): no storage
 * write per piece.
 */
export class LiveReply {
  readonly userMessage: ChatMessage;
  readonly assistantMessage: ChatMessage;
  /** Settles when the reply has ended and its last write is done. */
  readonly ended: Promise<void>;
  private readonly parts: ReplyParts;
  /** Events the model's pieces made before `start` could go out: each still leaves as its own event. */
  private early: EarlyEvent[] = [];
  /** `JSON.stringify(parts.text)`, kept from each text piece's own JSON (see {@link JsonText}). */
  private readonly textJson = new JsonText();
  private started = false;
  private readonly followers = new Set<SseStream>();
  private readonly controller = new AbortController();
  private halted = false;
  private finalEvent: { event: FinalEvent; id: number } | undefined;
  /** The KV write of this reply now on its way (checkpoint or final), which a stop or delete must outlast. */
  private writing: Promise<unknown> = Promise.resolve();
  private checkpointing = false;
  private lastWriteMs = 0;
  private lastStamp: string;
  /** Settles once `start` went out or the reply was abandoned: no final write may land before the user turn's. */
  private readonly setUp: Promise<void>;
  private setUpDone: () => void = () => undefined;

  constructor(private readonly input: LiveReplyInput) {
    this.userMessage = input.userMessage;
    this.assistantMessage = input.assistantMessage;
    this.lastStamp = input.assistantMessage.updatedAt ?? input.assistantMessage.timestamp;
    this.setUp = new Promise((resolve) => (this.setUpDone = resolve));
    this.parts = new ReplyParts(input.assistantMessage.id);
    this.ended = this.run();
  }

  /** The record the last event carried, once the reply has ended (`undefined` after a delete). */
  get finalRecord(): ChatMessage | undefined {
    const message = this.finalEvent?.event.data.message;
    return message?.error?.code === CONVERSATION_DELETED_ERROR.code ? undefined : message;
  }

  /** The reply's record as it stands while it streams: the text so far, never written per piece. */
  snapshot(): ChatMessage {
    const record: ChatMessage = { ...this.assistantMessage, content: this.parts.text, updatedAt: this.stamp() };
    const parts = this.parts.parts;
    if (parts !== undefined) record.parts = parts;
    return record;
  }

  /** `true` once the reply's last event was sent. */
  get isFinal(): boolean {
    return this.finalEvent !== undefined;
  }

  /**
   * The user turn and the first assistant record are in KV: `start` goes out (to the streams attached so far), then
   * the events of whatever the model sent meanwhile, under the ids they were given.
   */
  begin(): void {
    if (this.started) return;
    this.started = true;
    this.setUpDone();
    this.lastWriteMs = this.input.now();
    const start = { userMessage: this.userMessage, assistantMessage: this.assistantMessage };
    for (const sse of this.followers) sse.event(EVENT.start, start, START_EVENT_ID);
    for (const [event, textJson] of this.early) this.broadcast(event, textJson);
    this.early = [];
  }

  /** The user turn could not be written: the model request is dropped and nothing of the reply is kept. */
  abandon(): void {
    this.halted = true;
    this.setUpDone();
    this.controller.abort(new Error('not written'));
    for (const sse of this.followers) sse.close();
    this.followers.clear();
  }

  /**
   * Attaches a stream. Without `afterEventId`: `start`, one event per part so far, then live events; with it,
   * exactly the parts' content after that event (see {@link ReplyParts.catchUp}), then live events. After the end:
   * the last event only.
   */
  attach(sse: SseStream, afterEventId?: number): void {
    if (this.finalEvent !== undefined) {
      sse.end(this.finalEvent.event, this.finalEvent.id);
      return;
    }
    this.followers.add(sse);
    if (!this.started) return;
    if (afterEventId === undefined) {
      sse.event(EVENT.start, { userMessage: this.userMessage, assistantMessage: this.assistantMessage }, START_EVENT_ID);
    }
    for (const event of this.parts.catchUp(afterEventId)) send(sse, event);
  }

  /**
   * Stops the reply at once: the model request is cancelled (a running tool with it), every stream ends with the
   * `aborted` record, and that record, keeping `claimed` as far as the model produced it and the parts up to there
   * (a running tool ended `error`, `aborted`), is written after any write of the reply in flight.
   * Stop is a final act: on a reply already final it answers the final record, once that record's write is done (a
   * second stop in that gap must not find the checkpoint still in KV and decide anew).
   */
  async stop(claimed: string): Promise<ChatMessage> {
    if (this.finalEvent === undefined) {
      const shown = this.parts.stop(acceptedStopContent(claimed, this.parts.text));
      const aborted = finalRecord({ ...this.assistantMessage, ...shown }, { status: 'aborted' }, shown.content, this.stamp());
      this.halt(finalEvent(aborted));
      const inFlight = this.writing.catch(() => undefined);
      this.writing = inFlight.then(async () => {
        await this.input.store.put(aborted).catch((error: unknown) => {
          this.input.log(error);
          return this.input.owe(aborted);
        });
        this.input.onEnd(aborted);
      });
    }
    await this.writing;
    const final = this.finalRecord;
    if (final === undefined) throw new Error('A deleted reply was stopped');
    return final;
  }

  /** The conversation is being deleted: every stream ends with `conversation_deleted` and nothing more is written. */
  async cancelForDelete(): Promise<void> {
    const shown = this.parts.stop(this.parts.text);
    const cut = finalRecord({ ...this.assistantMessage, ...shown }, { status: 'error', error: CONVERSATION_DELETED_ERROR }, shown.content, undefined);
    this.halt(finalEvent(cut));
    await this.writing.catch(() => undefined);
    this.input.onEnd(undefined);
  }

  private halt(event: FinalEvent): void {
    if (this.halted) return;
    this.halted = true;
    this.controller.abort(new Error('reply halted'));
    this.finish(event);
  }

  private stamp(): string {
    this.lastStamp = isoAfter(this.input.now(), this.lastStamp);
    return this.lastStamp;
  }

  /** Takes one model piece: its events go to every stream (or wait for `start`), and a checkpoint may be due. */
  private take(piece: ModelPiece): boolean {
    if (this.halted) return false;
    for (const event of this.parts.add(piece)) {
      let textJson: string | undefined;
      if (event.name === EVENT.delta) {
        // Escaped once: the same JSON goes into every stream's frame and into the stored content.
        textJson = JSON.stringify(event.data.text);
        this.textJson.append(textJson);
      }
      if (this.started) this.broadcast(event, textJson);
      else this.early.push([event, textJson]);
    }
    this.checkpoint();
    return true;
  }

  private broadcast(event: PartEvent, textJson?: string): void {
    for (const sse of this.followers) {
      if (sse.open) send(sse, event, textJson);
      else this.followers.delete(sse);
    }
  }

  private finish(event: FinalEvent): void {
    if (this.finalEvent !== undefined) return;
    const id = this.parts.takeEventId();
    this.finalEvent = { event, id };
    for (const sse of this.followers) sse.end(event, id);
    this.followers.clear();
  }

  private checkpoint(): void {
    if (!this.started || this.checkpointing || this.halted) return;
    const nowMs = this.input.now();
    if (nowMs - this.lastWriteMs < this.input.checkpointIntervalMs) return;
    this.lastWriteMs = nowMs;
    this.checkpointing = true;
    this.writing = this.input
      // A running tool stays `running` here: a restart reports its card, ended.
      .checkpoint(this.snapshot())
      // A failed checkpoint costs only what a restart could keep of the text so far; the reply goes on.
      .catch(this.input.log)
      .finally(() => {
        this.checkpointing = false;
      });
  }

  private async run(): Promise<void> {
    const { input } = this;
    let failure: ErrorInfo | undefined;
    try {
      const pieces = input.provider.stream({ messages: input.messages, signal: this.controller.signal });
      await readPieces(pieces[Symbol.asyncIterator](), {
        onPiece: (piece) => this.take(piece),
        timeoutMs: input.modelIdleTimeoutMs,
        onTimeout: (error) => this.controller.abort(error),
        // A tool can take longer than a model may stay silent; a stop still cancels it.
        waiting: () => this.parts.toolRunning,
      });
    } catch (error) {
      if (!this.halted) {
        if (error instanceof ModelError) failure = { code: error.code, message: error.message };
        else {
          input.log(error);
          failure = { code: 'model_error', message: 'The model failed' };
        }
      }
    }
    if (!this.controller.signal.aborted) this.controller.abort(new Error('reply ended'));
    // A model quicker than the user turn's write still ends after `start`, its final record after that turn's.
    await this.setUp;
    // A stop or a delete has the last word and writes (or deletes) for itself.
    if (this.halted) return;
    await this.writing.catch(() => undefined);
    if (this.halted) return;

    const end = failure === undefined ? ({ status: 'complete' } as const) : ({ status: 'error', error: failure } as const);
    const shown = this.parts.finish();
    const final = finalRecord({ ...this.assistantMessage, ...shown }, end, shown.content, this.stamp());
    const finalJson = this.textJson.json();
    // KV refusing the record after its retries still keeps it: owed, in the object's storage, before `done` goes out.
    const persisted = writeWithRetry(input, () => input.store.put(final, finalJson), () => this.halted).then(
      (written) => written || this.halted || input.owe(final).then(() => true, (error: unknown) => (input.log(error), false)),
    );
    this.writing = persisted;
    const stored = await persisted;
    if (this.halted) return;
    this.finish(stored ? finalEvent(final) : { name: 'error', data: { error: NOT_SAVED_ERROR, message: final } });
    input.onEnd(stored ? final : undefined);
  }
}

/** Sends one of the reply's events; a `delta` with its text's JSON when the caller has it. */
function send(sse: SseStream, event: PartEvent, textJson?: string): void {
  switch (event.name) {
    case EVENT.delta:
      sse.delta(event.data.id, event.data.text, textJson, event.id);
      break;
    case EVENT.reasoning:
      sse.event(EVENT.reasoning, event.data, event.id);
      break;
    case EVENT.toolCall:
      sse.event(EVENT.toolCall, event.data, event.id);
      break;
    case EVENT.toolResult:
      sse.event(EVENT.toolResult, event.data, event.id);
      break;
  }
}
