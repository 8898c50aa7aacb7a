import type { ChatRequestOptions, ChatTransport, UIMessage, UIMessageChunk } from 'ai';
import { ChatError, type BackoffRange } from '../index';
import { isFinalStatus, ROUTE, type ChatMessage, type ChatRequestBody, type StopRequestBody } from '../protocol';
import { readSSE } from '../sse-reader';
import { readHistory } from './history-messages';
import { chunksForEvent, chunksForRecord, newProgress, type ReplyProgress } from './reply-chunks';
import { requestWorker, type WorkerAccess } from './worker-request';

/**
 * Options of {@link ChatkeepTransport}.
 *
 * @example
 * ```ts
 * new ChatkeepTransport({ endpoint: 'https://chat.example.com/api', headers: { authorization: `Bearer ${token}` } });
 * ```
 */
export interface ChatkeepTransportOptions extends WorkerAccess {
  /**
   * History polls while a reply is followed through history (where the Worker cannot resume it live): doubling from
   * `baseMs` to `capMs`.
   * @defaultValue `{ baseMs: 500, capMs: 10_000 }`
   */
  historyPollBackoff?: BackoffRange;
}

type Emit = (chunks: readonly UIMessageChunk[]) => void;

/** Which reply to follow: by its own id, or (before `start` named it) by the user turn it answers. */
interface ReplyTarget {
  id?: string;
  replyTo?: string;
}

/** History polls that may miss the reply (its first checkpoint not written yet) before it counts as gone. */
const MISSING_REPLY_POLLS = 5;

/**
 * A `ChatTransport` for the AI SDK's `useChat` that talks to the chatkeep Worker. The chat's `id` is the chatkeep
 * session id.
 *
 * - `sendMessages` posts only the new user turn, with its id (the Worker owns the context and never runs the model
 *   twice for one turn id: a regenerate shows the reply the Worker holds). The reply streams as one text part. A
 *   stream that breaks is followed on, live from its last event where the Worker can, else through history, so
 *   the message ends with the text the Worker persisted (a resume stream that drops is resumed again, from its last event). `stop()` stops the reply on the Worker too, keeping the text
 *   shown.
 * - `reconnectToStream` finds the conversation's latest reply: still streaming, it is followed live through
 *   `GET /chat/stream` (through history where the Worker answers 404 or 409 `resume_unavailable`); final, it
 *   answers `null`, unless it is a reply this transport streamed and lost before its end, which is replayed. Every
 *   resume is a replay from the reply's first word (`resumeStreamIsReplay`).
 *
 * @example
 * ```tsx
 * const transport = new ChatkeepTransport({ endpoint: '/api' });
 * const { messages, sendMessage, stop } = useChat({ id: sessionId, transport, messages: initialMessages, resume: true });
 * ```
 */
export class ChatkeepTransport<UI_MESSAGE extends UIMessage = UIMessage> implements ChatTransport<UI_MESSAGE> {
  readonly resumeStreamIsReplay = true;
  private readonly options: ChatkeepTransportOptions;
  /** Per chat: the reply this transport streamed and lost before its end, replayed by the next reconnect. */
  private readonly unfinished = new Map<string, string>();
  /** Per chat: how many reconnects began, to tell a stop from a newer reconnect replacing an older one. */
  private readonly reconnects = new Map<string, number>();

  constructor(options: ChatkeepTransportOptions = {}) {
    this.options = options;
  }

  async sendMessages(
    request: {
      trigger: 'submit-message' | 'regenerate-message';
      chatId: string;
      messageId: string | undefined;
      messages: UI_MESSAGE[];
      abortSignal: AbortSignal | undefined;
    } & ChatRequestOptions,
  ): Promise<ReadableStream<UIMessageChunk>> {
    const { chatId, messages, abortSignal } = request;
    const headers = plainHeaders(request.headers);
    const turn = messages[messages.length - 1];
    if (turn?.role !== 'user') throw new ChatError('invalid_request', 'the last message is not a user turn');
    const body: ChatRequestBody = { sessionId: chatId, message: { id: turn.id, content: textOf(turn) } };
    const cancel = new AbortController();
    const signal = anySignal(abortSignal, cancel.signal);
    const progress = newProgress();
    let response: Response | undefined;
    try {
      response = await requestWorker(this.options, ROUTE.chat, { method: 'POST', body, headers, signal });
    } catch (error) {
      // The Worker has the turn and is replying to it (a second send of the same id, without a conversation
      // object): the reply is followed through history.
      if (!(error instanceof ChatError && error.code === 'reply_in_progress')) throw error;
    }
    abortSignal?.addEventListener('abort', () => this.stopReply(chatId, progress, headers), { once: true });
    return replyStream(cancel, async (emit) => {
      try {
        if (response?.body) await readEvents(response.body, progress, emit, signal);
        if (!progress.ended) await this.follow(chatId, progress, emit, signal, headers, { replyTo: turn.id });
      } finally {
        if (progress.messageId !== undefined && !progress.ended && !abortSignal?.aborted)
          this.unfinished.set(chatId, progress.messageId);
        else if (this.unfinished.get(chatId) === progress.messageId) this.unfinished.delete(chatId);
      }
    });
  }

  async reconnectToStream(
    request: { chatId: string; abortSignal?: AbortSignal } & ChatRequestOptions,
  ): Promise<ReadableStream<UIMessageChunk> | null> {
    const { chatId, abortSignal } = request;
    const headers = plainHeaders(request.headers);
    const attempt = (this.reconnects.get(chatId) ?? 0) + 1;
    this.reconnects.set(chatId, attempt);
    const { messages } = await readHistory(chatId, this.options, { headers, signal: abortSignal });
    const reply = latestReply(messages);
    if (!reply || (isFinalStatus(reply.status) && this.unfinished.get(chatId) !== reply.id)) return null;
    const cancel = new AbortController();
    const signal = anySignal(abortSignal, cancel.signal);
    const progress = newProgress();
    abortSignal?.addEventListener(
      'abort',
      // `useChat` aborts a resume both to stop it and to replace it with a newer one (StrictMode runs the resume
      // effect twice), and it starts the newer one in the same task: only an abort with no newer resume is a stop.
      () => queueMicrotask(() => this.reconnects.get(chatId) === attempt && this.stopReply(chatId, progress, headers)),
      { once: true },
    );
    return replyStream(cancel, async (emit) => {
      if (isFinalStatus(reply.status)) emit(chunksForRecord(progress, reply));
      else await this.follow(chatId, progress, emit, signal, headers, { id: reply.id });
      if (progress.ended && this.unfinished.get(chatId) === reply.id) this.unfinished.delete(chatId);
    });
  }

  /**
   * Follows a reply to its end: live through `GET /chat/stream` (after the last event read, or from the start when
   * nothing was shown yet), again after each resume stream that drops having carried events, else through history,
   * polled with backoff.
   */
  private async follow(
    chatId: string,
    progress: ReplyProgress,
    emit: Emit,
    signal: AbortSignal,
    headers: Record<string, string>,
    target: ReplyTarget,
  ): Promise<void> {
    for (let advanced = true; advanced && !progress.ended; ) {
      const id = progress.messageId ?? target.id;
      // Text shown with no event id to resume after cannot be resumed live without showing some of it twice.
      if (id === undefined || (progress.started && progress.lastEventId === undefined)) break;
      const before = progress.lastEventId;
      const query = new URLSearchParams({ sessionId: chatId, messageId: id });
      const resumeHeaders = { ...headers, ...(progress.started && { 'last-event-id': progress.lastEventId! }) };
      // 404: no such reply, or a Worker without the route; 409 `resume_unavailable`: not followable live here.
      const response = await requestWorker(this.options, `${ROUTE.chatStream}?${query}`, { headers: resumeHeaders, signal }, [404, 409]);
      if (!response.ok || !response.body) {
        await response.body?.cancel();
        break;
      }
      await readEvents(response.body, progress, emit, signal);
      // A stream that ends with nothing new (a Worker that keeps dropping it) leaves the reply to history.
      advanced = progress.lastEventId !== before;
    }
    if (progress.ended) return;
    const backoff = this.options.historyPollBackoff ?? { baseMs: 500, capMs: 10_000 };
    for (let poll = 0, misses = 0; !progress.ended; poll++) {
      const { messages } = await readHistory(chatId, this.options, { headers, signal });
      const wanted = progress.messageId ?? target.id;
      const reply = messages.find(
        (record) => record.role === 'assistant' && (wanted !== undefined ? record.id === wanted : record.replyTo === target.replyTo),
      );
      if (reply) emit(chunksForRecord(progress, reply));
      else if (++misses >= MISSING_REPLY_POLLS) throw new ChatError('message_not_found', 'the reply is not in the history');
      if (progress.ended) return;
      await sleep(Math.min(backoff.capMs, backoff.baseMs * 2 ** poll), signal);
    }
  }

  /** Stops the reply on the Worker, keeping the text the chat was shown. A failure leaves the reply to finish. */
  private stopReply(chatId: string, progress: ReplyProgress, headers: Record<string, string>): void {
    if (progress.messageId === undefined || progress.ended) return;
    progress.ended = true;
    const body: StopRequestBody = { sessionId: chatId, messageId: progress.messageId, content: progress.text };
    requestWorker(this.options, ROUTE.stop, { method: 'POST', body, headers }).then(
      (response) => response.body?.cancel(),
      () => undefined,
    );
  }
}

/**
 * A stream of UI message chunks fed by `run`. Cancelling it (the reader went away) aborts `cancel`, which ends the
 * requests `run` makes.
 */
function replyStream(cancel: AbortController, run: (emit: Emit) => Promise<void>): ReadableStream<UIMessageChunk> {
  let open = true;
  return new ReadableStream<UIMessageChunk>({
    start(controller) {
      const emit: Emit = (chunks) => open && chunks.forEach((chunk) => controller.enqueue(chunk));
      run(emit).then(
        () => open && controller.close(),
        (error: unknown) => open && controller.error(error),
      );
    },
    cancel() {
      open = false;
      cancel.abort();
    },
  });
}

/**
 * Reads a chatkeep event stream into chunks. A stream that drops or sends something malformed just ends here:
 * the caller follows the reply on. An abort is rethrown.
 */
async function readEvents(body: ReadableStream<Uint8Array>, progress: ReplyProgress, emit: Emit, signal: AbortSignal): Promise<void> {
  try {
    await readSSE(body, (event) => emit(chunksForEvent(progress, event)));
  } catch (error) {
    if (signal.aborted) throw error;
  }
}

/** The conversation's last assistant turn. */
function latestReply(messages: readonly ChatMessage[]): ChatMessage | undefined {
  for (let index = messages.length - 1; index >= 0; index--) if (messages[index]!.role === 'assistant') return messages[index];
  return undefined;
}

/** The text of a user turn: its text parts, a blank line apart. */
function textOf(message: UIMessage): string {
  return message.parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n\n');
}

function plainHeaders(headers: ChatRequestOptions['headers']): Record<string, string> {
  if (headers === undefined) return {};
  return headers instanceof Headers ? Object.fromEntries(headers.entries()) : headers;
}

function anySignal(first: AbortSignal | undefined, second: AbortSignal): AbortSignal {
  return first ? AbortSignal.any([first, second]) : second;
}

/** Waits `delayMs`, or rejects with the abort reason as soon as `signal` aborts. */
function sleep(delayMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
