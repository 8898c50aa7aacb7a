import type { ChatMessage, ErrorInfo } from '../../sdk/protocol';
import { ModelError, type ModelMessage, type ModelProvider } from '../providers/model-provider';
import { textPieces } from '../providers/text-pieces';
import { JsonText } from '../store/json-text';
import type { SessionStore } from '../store/session-store';
import { isoAfter } from '../store/timestamps';
import { writeWithRetry } from '../store/write-with-retry';
import { readPieces } from '../stream/read-pieces';
import type { SseStream } from '../stream/sse-stream';
import { CONVERSATION_DELETED_ERROR, finalEvent, finalRecord, NOT_SAVED_ERROR, type FinalEvent } from './final-record';
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
  /** Keeps a final record KV refused in the object's own storage, to be offered to KV again; rejects if it cannot. */
  owe: (record: ChatMessage) => Promise<void>;
  /** Called once, when the reply has ended and nothing more of it will be written. */
  onEnd: (final: ChatMessage | undefined) => void;
}

/**
 * One reply, owned by its conversation's Durable Object: it reads the model to the end whoever is listening, sends
 * every event to every attached stream under one sequence of event ids, checkpoints the text to KV at most once an
 * interval and writes the final record. The text lives here, in memory: no storage write per piece.
 *
 * Event ids: `start` is 1; each later event takes the next id, and `textEnds[id]` is the text's length once that
 * event was sent, so a stream resumed after event `n` gets exactly `text.slice(textEnds[n])`.
 */
export class LiveReply {
  readonly userMessage: ChatMessage;
  readonly assistantMessage: ChatMessage;
  /** Settles when the reply has ended and its last write is done. */
  readonly ended: Promise<void>;
  private text = '';
  /** Pieces the model sent before `start` could go out: each still leaves as its own `delta`. */
  private early: [piece: string, pieceJson: string][] = [];
  private readonly textJson = new JsonText();
  private readonly textEnds: number[] = [0];
  private lastEventId = 0;
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
    this.ended = this.run();
  }

  /** The record the last event carried, once the reply has ended (`undefined` after a delete). */
  get finalRecord(): ChatMessage | undefined {
    const message = this.finalEvent?.event.data.message;
    return message?.error?.code === CONVERSATION_DELETED_ERROR.code ? undefined : message;
  }

  /** The reply's record as it stands while it streams: the text so far, never written per piece. */
  snapshot(): ChatMessage {
    return { ...this.assistantMessage, content: this.text, updatedAt: this.stamp() };
  }

  /** `true` once the reply's last event was sent. */
  get isFinal(): boolean {
    return this.finalEvent !== undefined;
  }

  /**
   * The user turn and the first assistant record are in KV: `start` goes out (to the streams attached so far), then
   * whatever the model sent meanwhile, as one `delta`.
   */
  begin(): void {
    if (this.started) return;
    this.started = true;
    this.setUpDone();
    this.lastWriteMs = this.input.now();
    const start = { userMessage: this.userMessage, assistantMessage: this.assistantMessage };
    this.lastEventId = 1;
    this.textEnds[1] = 0;
    for (const sse of this.followers) sse.event('start', start, 1);
    let sent = 0;
    for (const [piece, pieceJson] of this.early) {
      sent += piece.length;
      this.sendDelta(piece, pieceJson, sent);
    }
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
   * Attaches a stream. Without `afterEventId`: `start`, one `delta` with all the text so far, then live events; with
   * it, one `delta` with exactly the text after that event, then live events. After the end: the last event only.
   */
  attach(sse: SseStream, afterEventId?: number): void {
    if (this.finalEvent !== undefined) {
      sse.end(this.finalEvent.event, this.finalEvent.id);
      return;
    }
    this.followers.add(sse);
    if (!this.started) return;
    if (afterEventId === undefined) {
      sse.event('start', { userMessage: this.userMessage, assistantMessage: this.assistantMessage }, 1);
      if (this.text.length > 0) sse.delta(this.assistantMessage.id, this.text, this.textJson.json(), this.lastEventId);
      return;
    }
    const from = this.textEnds[Math.max(1, Math.min(afterEventId, this.lastEventId))] ?? this.text.length;
    if (from < this.text.length) {
      const rest = this.text.slice(from);
      sse.delta(this.assistantMessage.id, rest, JSON.stringify(rest), this.lastEventId);
    }
  }

  /**
   * Stops the reply at once: the model request is cancelled, every stream ends with the `aborted` record, and that
   * record, keeping `claimed` as far as the model produced it, is written after any write of the reply in flight.
   * Stop is a final act: on a reply already final it answers the final record, once that record's write is done (a
   * second stop in that gap must not find the checkpoint still in KV and decide anew).
   */
  async stop(claimed: string): Promise<ChatMessage> {
    if (this.finalEvent === undefined) {
      const aborted = finalRecord(this.assistantMessage, { status: 'aborted' }, acceptedStopContent(claimed, this.text), this.stamp());
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
    const cut = finalRecord(this.assistantMessage, { status: 'error', error: CONVERSATION_DELETED_ERROR }, this.text, undefined);
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

  /** @param textEnd the text's length once this piece is in (it differs from now for the early pieces) */
  private sendDelta(piece: string, pieceJson: string, textEnd = this.text.length): void {
    this.lastEventId++;
    this.textEnds[this.lastEventId] = textEnd;
    for (const sse of this.followers) {
      if (sse.open) sse.delta(this.assistantMessage.id, piece, pieceJson, this.lastEventId);
      else this.followers.delete(sse);
    }
  }

  private finish(event: FinalEvent): void {
    if (this.finalEvent !== undefined) return;
    this.lastEventId++;
    this.finalEvent = { event, id: this.lastEventId };
    for (const sse of this.followers) sse.end(event, this.lastEventId);
    this.followers.clear();
  }

  private checkpoint(): void {
    if (!this.started || this.checkpointing || this.halted) return;
    const nowMs = this.input.now();
    if (nowMs - this.lastWriteMs < this.input.checkpointIntervalMs) return;
    this.lastWriteMs = nowMs;
    const snapshot: ChatMessage = { ...this.assistantMessage, content: this.text, updatedAt: this.stamp() };
    this.checkpointing = true;
    this.writing = this.input.store
      .put(snapshot, this.textJson.json())
      // A failed checkpoint costs only a reload's view of the text so far; the reply goes on.
      .catch(this.input.log)
      .finally(() => {
        this.checkpointing = false;
      });
  }

  private async run(): Promise<void> {
    const { input } = this;
    let failure: ErrorInfo | undefined;
    try {
      // Until the reply keeps parts, it keeps their text.
      const iterator = textPieces(input.provider.stream({ messages: input.messages, signal: this.controller.signal }));
      await readPieces(iterator, {
        onPiece: (piece) => {
          if (this.halted) return false;
          if (piece.length === 0) return true;
          const pieceJson = JSON.stringify(piece);
          this.text += piece;
          this.textJson.append(pieceJson);
          if (this.started) this.sendDelta(piece, pieceJson);
          else this.early.push([piece, pieceJson]);
          this.checkpoint();
          return true;
        },
        timeoutMs: input.modelIdleTimeoutMs,
        onTimeout: (error) => this.controller.abort(error),
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
    const final = finalRecord(this.assistantMessage, end, this.text, this.stamp());
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
