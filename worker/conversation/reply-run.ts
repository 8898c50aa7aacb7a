import type { ChatMessage, ErrorEventData, ErrorInfo } from '../../sdk/protocol';
import { registerReply, type HaltReason } from './active-replies';
import { JsonText } from '../store/json-text';
import { readPieces } from '../stream/read-pieces';
import { textPieces } from '../providers/text-pieces';
import { ModelError, type ModelMessage, type ModelProvider } from '../providers/model-provider';
import type { SessionStore } from '../store/session-store';
import { canonical } from '../store/stored-message';
import type { SseStream } from '../stream/sse-stream';
import { isoAfter } from '../store/timestamps';

/** What one reply needs; built by the chat route after validation and the context read. */
export interface ReplyRunInput {
  store: SessionStore;
  provider: ModelProvider;
  messages: ModelMessage[];
  userMessage: ChatMessage;
  /** The assistant record as first written: status `streaming`, content `""`. */
  assistantMessage: ChatMessage;
  /** Resolves once the user turn and the first assistant record are in KV; `start` waits for it. */
  written: Promise<unknown>;
  sse: SseStream;
  checkpointIntervalMs: number;
  modelIdleTimeoutMs: number;
  now: () => number;
  log: (error: unknown) => void;
}

/** KV allows one write per key per second, and a final write may follow a checkpoint closely. */
const WRITE_ATTEMPTS = 3;

/**
 * Generates one reply to the end and persists it, whatever happens to the client. Runs under `ctx.waitUntil`:
 * the model is read to its last piece even after a disconnect, checkpoints (status `streaming`) are written at
 * most once per interval, and the final record is written `complete` or `error` with the text so far — unless the
 * user stopped the reply, in which case the `aborted` record the stop route wrote is never overwritten.
 */
export async function runReply(input: ReplyRunInput): Promise<void> {
  const { store, sse, userMessage } = input;
  const controller = new AbortController();
  let halted: HaltReason | undefined;
  let text = '';
  let inFlight: Promise<void> | undefined;
  const unregister = registerReply(store.sessionId, input.assistantMessage.id, {
    halt(reason) {
      halted = reason;
    },
    text: () => text,
  });

  let started = false;
  let lastWriteMs = 0;
  let lastStamp = input.assistantMessage.updatedAt ?? input.assistantMessage.timestamp;
  const buffered: string[] = [];
  const stamp = () => (lastStamp = isoAfter(input.now(), lastStamp));

  const writtenOk = input.written.then(
    () => {
      started = true;
      lastWriteMs = input.now();
      sse.event('start', { userMessage, assistantMessage: input.assistantMessage });
      for (const text of buffered.splice(0)) sse.delta(input.assistantMessage.id, text);
      return true;
    },
    () => {
      controller.abort(new Error('not written'));
      return false;
    },
  );

  /** Another isolate may have stopped the reply: the record in KV has the last word. */
  const stoppedElsewhere = async (): Promise<boolean> => {
    if (halted !== undefined) return true;
    const current = await store.getIf(input.assistantMessage.id, (status) => status === 'aborted');
    if (current !== undefined) halted = { kind: 'aborted', record: current };
    return halted !== undefined;
  };

  /**
   * A checkpoint already on its way when the reply was halted may land after the stop's write (or the delete):
   * put the stopped state back so the checkpoint never has the last word.
   */
  const undoLateCheckpoint = async (reason: HaltReason): Promise<void> => {
    if (reason.kind === 'deleted') await store.delete(input.assistantMessage.id);
    else await writeWithRetry(input, () => store.put(reason.record));
  };

  /** `JSON.stringify(text)`, kept from each piece's JSON, for the stored value (see `messageJson`). */
  const textJson = new JsonText();
  const checkpoint = () => {
    if (!started || inFlight !== undefined || halted !== undefined) return;
    const nowMs = input.now();
    if (nowMs - lastWriteMs < input.checkpointIntervalMs) return;
    lastWriteMs = nowMs;
    const snapshot: ChatMessage = { ...input.assistantMessage, content: text, updatedAt: stamp() };
    const snapshotJson = textJson.json();
    inFlight = (async () => {
      if (await stoppedElsewhere()) return;
      await store.put(snapshot, snapshotJson);
      if (halted !== undefined) await undoLateCheckpoint(halted);
    })()
      // A failed checkpoint costs only a reload's view of the text so far; the stream goes on.
      .catch((error: unknown) => input.log(error))
      .finally(() => {
        inFlight = undefined;
      });
  };

  let failure: ErrorInfo | undefined;
  try {
    // Until the reply keeps parts, it keeps their text.
    const iterator = textPieces(input.provider.stream({ messages: input.messages, signal: controller.signal }));
    await readPieces(iterator, {
      onPiece(piece) {
        if (halted !== undefined) return false;
        if (piece.length === 0) return true;
        const pieceJson = JSON.stringify(piece);
        text += piece;
        textJson.append(pieceJson);
        if (started) sse.delta(input.assistantMessage.id, piece, pieceJson);
        else buffered.push(piece);
        checkpoint();
        return true;
      },
      timeoutMs: input.modelIdleTimeoutMs,
      onTimeout: (error) => controller.abort(error),
    });
  } catch (error) {
    if (halted === undefined) {
      if (error instanceof ModelError) failure = { code: error.code, message: error.message };
      else {
        input.log(error);
        failure = { code: 'model_error', message: 'The model failed' };
      }
    }
  }

  // Whatever ended the loop, the model request is no longer needed (this request owns it, so it may abort it).
  if (!controller.signal.aborted) controller.abort(new Error('reply ended'));

  try {
    if (!(await writtenOk)) return;
    await inFlight;
    if (await stoppedElsewhere().catch(() => halted !== undefined)) {
      endHalted(sse, halted, { ...input.assistantMessage, content: text });
      return;
    }
    const final: ChatMessage = {
      ...input.assistantMessage,
      content: text,
      status: failure === undefined ? 'complete' : 'error',
      updatedAt: stamp(),
    };
    if (failure !== undefined) final.error = failure;
    const finalJson = textJson.json();
    const persisted = await writeWithRetry(input, () => input.store.put(final, finalJson), () => halted !== undefined);
    if (halted !== undefined) {
      // Stopped while the final write was on its way: the stop has the last word.
      if (persisted) await undoLateCheckpoint(halted).catch(input.log);
      endHalted(sse, halted, final);
    } else if (!persisted) {
      sse.event('error', {
        error: { code: 'storage_unavailable', message: 'The reply could not be saved' },
        message: final,
      });
    } else if (failure === undefined) sse.event('done', { message: final });
    else sse.event('error', { error: failure, message: final });
  } finally {
    unregister();
    sse.close();
  }
}

/**
 * The last event of a stream whose reply was ended from outside: the `aborted` record after a stop, or an `error`
 * saying the conversation was deleted (the record is gone; the event carries the text as it stood).
 */
function endHalted(sse: SseStream, halted: HaltReason | undefined, reply: ChatMessage): void {
  if (halted?.kind === 'aborted') sse.event('done', { message: halted.record });
  else if (halted?.kind === 'deleted') sse.event('error', conversationDeletedEvent(reply));
}

/** The `error` event of a reply cut short by `DELETE /history`. */
export function conversationDeletedEvent(reply: ChatMessage): ErrorEventData {
  const error = { code: 'conversation_deleted', message: 'The conversation was deleted' } as const;
  return { error, message: canonical({ ...reply, status: 'error', error }) };
}

/** Retries a write (KV allows one write per key per second, so a final write may collide with a checkpoint). */
export async function writeWithRetry(
  input: Pick<ReplyRunInput, 'checkpointIntervalMs' | 'log'>,
  write: () => Promise<void>,
  giveUp: () => boolean = () => false,
): Promise<boolean> {
  for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
    if (giveUp()) return false;
    try {
      await write();
      return true;
    } catch (error) {
      input.log(error);
      if (attempt < WRITE_ATTEMPTS) await new Promise((r) => setTimeout(r, input.checkpointIntervalMs));
    }
  }
  return false;
}
