import { ModelError, type ModelErrorCode, type ModelMessage, type ModelProvider } from '../index';

/**
 * What the model answers: a text (streamed a word at a time), the exact pieces to stream, or a function of the
 * prompt (the last user turn) returning either.
 */
export type TestReply =
  | string
  | readonly string[]
  | ((prompt: string, messages: readonly ModelMessage[]) => string | readonly string[] | Promise<string | readonly string[]>);

export interface TestModelOptions {
  /**
   * What every reply is, until {@link TestModel.reply} changes it.
   * @defaultValue `(prompt) => \`You said: ${prompt}\``
   */
  reply?: TestReply;
  /**
   * Pause before each piece, in ms, so a test can catch a reply mid-stream.
   * @defaultValue 0
   */
  pieceDelayMs?: number;
}

/** A failure to script: the reply ends `error` with this code and message, keeping the pieces streamed before it. */
export interface TestModelFailure {
  /**
   * The `error` event's code.
   * @defaultValue `'model_error'`
   */
  code?: ModelErrorCode;
  /**
   * The `error` event's message.
   * @defaultValue `'The model failed'`
   */
  message?: string;
  /**
   * Pieces streamed before the failure.
   * @defaultValue 0
   */
  afterPieces?: number;
}

/** Where a hang starts: the model streams this many pieces, then sends nothing until the reply is stopped. */
export interface TestModelHang {
  /**
   * Pieces streamed before the model falls silent.
   * @defaultValue 0
   */
  afterPieces?: number;
}

/** One call the Worker made to the model. */
export interface TestModelCall {
  /** The last user turn. */
  prompt: string;
  /** Everything the model was given, the system prompt and earlier turns included. */
  messages: readonly ModelMessage[];
}

/** A model whose replies a test decides. */
export interface TestModel extends ModelProvider {
  /** Every call so far, oldest first: one per reply the Worker ran (an idempotent resend adds none). */
  readonly calls: readonly TestModelCall[];
  /** Changes what later replies are. */
  reply(reply: TestReply): void;
  /** The next reply fails (each call queues one failure or hang, taken in order). */
  failNext(failure?: TestModelFailure): void;
  /**
   * The next reply falls silent until the returned function resumes it (the rest of its pieces follow), or its
   * request is aborted (the Worker's model idle timeout, a stop or a delete the Worker acts on at once).
   */
  hangNext(hang?: TestModelHang): () => void;
  /** Pause before each piece, in ms. */
  pieceDelayMs: number;
}

type Scripted = { kind: 'fail'; failure: TestModelFailure } | { kind: 'hang'; hang: TestModelHang; resumed: Promise<void> };

export const DEFAULT_TEST_REPLY: TestReply = (prompt) => `You said: ${prompt}`;

/** A text as the pieces a model streams: one per word, the space before a word kept with it. */
export function wordPieces(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? (text === '' ? [] : [text]);
}

const untilAborted = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

const pause = (delayMs: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, delayMs);
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * A scriptable model for tests: fixed replies or a function of the prompt, no pause between pieces unless asked,
 * and a failure or a hang on demand.
 *
 * @example
 * ```ts
 * const model = createTestModel({ reply: (prompt) => prompt.toUpperCase() });
 * model.failNext({ message: 'overloaded', afterPieces: 2 });
 * ```
 */
export function createTestModel(options: TestModelOptions = {}): TestModel {
  let reply = options.reply ?? DEFAULT_TEST_REPLY;
  const calls: TestModelCall[] = [];
  const scripted: Scripted[] = [];
  const model: TestModel = {
    name: 'test',
    calls,
    pieceDelayMs: options.pieceDelayMs ?? 0,
    reply(next) {
      reply = next;
    },
    failNext(failure = {}) {
      scripted.push({ kind: 'fail', failure });
    },
    hangNext(hang = {}) {
      let resume = () => {};
      const resumed = new Promise<void>((resolve) => {
        resume = resolve;
      });
      scripted.push({ kind: 'hang', hang, resumed });
      return resume;
    },
    async *stream({ messages, signal }) {
      const prompt = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
      calls.push({ prompt, messages: messages.map((m) => ({ ...m })) });
      const script = scripted.shift();
      const answer = typeof reply === 'function' ? await reply(prompt, messages) : reply;
      const pieces = typeof answer === 'string' ? wordPieces(answer) : [...answer];
      const stopAt =
        script?.kind === 'fail' ? (script.failure.afterPieces ?? 0) : script?.kind === 'hang' ? (script.hang.afterPieces ?? 0) : pieces.length;
      for (const [index, piece] of pieces.entries()) {
        if (index === stopAt && script?.kind === 'fail') {
          throw new ModelError(script.failure.code ?? 'model_error', script.failure.message ?? 'The model failed');
        }
        if (index === stopAt && script?.kind === 'hang') await Promise.race([untilAborted(signal), script.resumed]);
        if (model.pieceDelayMs > 0) await pause(model.pieceDelayMs, signal);
        if (signal.aborted) return;
        yield piece;
      }
      // A failure or a hang scripted after the last piece still happens.
      if (stopAt >= pieces.length && script?.kind === 'fail') {
        throw new ModelError(script.failure.code ?? 'model_error', script.failure.message ?? 'The model failed');
      }
      if (stopAt >= pieces.length && script?.kind === 'hang') await Promise.race([untilAborted(signal), script.resumed]);
    },
  };
  return model;
}
