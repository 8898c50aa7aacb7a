import type { ChatMessage, DoneEventData, ErrorEventData, ErrorInfo, HistoryResponseBody, StartEventData } from '../../sdk/protocol';
import { DEFAULT_BASE_PATH, DEFAULT_RETENTION_SECONDS, isValidId } from '../../sdk/protocol';
import { createChatWorker, createConversationClass, messageKey, type ChatWorkerEnv, type ConversationObjectOptions } from '../index';
import { DEFAULT_TEST_ORIGIN, inProcess, type FetchHandler } from './in-process';
import { inProcessConversations } from './in-process-conversations';
import { memoryKv, type MemoryKv } from './memory-kv';
import { testNetwork, type TestNetwork } from './network';
import { sseFrames } from './sse-frames';
import { createTestModel, type TestModel, type TestReply } from './test-model';

/** `createChatWorker` options a test Worker passes through (the KV and the model are the test Worker's own). */
export type TestWorkerChatOptions = Omit<ConversationObjectOptions<ChatWorkerEnv>, 'kv' | 'model'>;

/** Options of {@link createTestWorker}. */
export interface TestWorkerOptions {
  /**
   * What the model answers: a text (streamed a word at a time), the pieces to stream, or a function of the prompt.
   * @defaultValue `(prompt) => \`You said: ${prompt}\``
   */
  reply?: TestReply;
  /**
   * Pause before each piece of a reply, in ms.
   * @defaultValue 0
   */
  pieceDelayMs?: number;
  /**
   * The KV the Worker keeps conversations in; pass one to share it between two test Workers (two isolates).
   * @defaultValue a new `memoryKv()` on the Worker's clock
   */
  kv?: MemoryKv;
  /**
   * Where a bare path (`'/api/chat'`, from `ChatClient`'s default endpoint) is sent; any origin reaches the Worker.
   * @defaultValue `'http://chatkeep.test'`
   */
  origin?: string;
  /**
   * Any other `createChatWorker` option: `basePath`, `authorize`, `now`, `limits`, `retentionSeconds`, …
   * @defaultValue none: the Worker's own defaults
   */
  worker?: TestWorkerChatOptions;
}

/** What another device's send left on the server. */
export interface TestExchange {
  userMessage: ChatMessage;
  /** The reply as persisted, `complete` or `error`. */
  reply: ChatMessage;
  /** Set when the reply ended with an `error` event. */
  error?: ErrorInfo;
}

/**
 * The real chatkeep Worker and its conversation objects (the real class, one per conversation), in this process, over
 * a memory KV, with a model and a network the test controls.
 */
export interface TestWorker {
  /** `fetch` through the test network to the Worker: hand it to `new ChatClient({ fetch })`. */
  readonly fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** The model every reply comes from: change replies, script a failure or a hang, read its calls. */
  readonly model: TestModel;
  /** The network between clients and the Worker: `down()`, `up()`, and the `online` events to give clients. */
  readonly network: TestNetwork;
  /** Pass as `ChatClient`'s `onlineEvents`: `online` fires here when `network.up()` is called. */
  readonly onlineEvents: EventTarget;
  /** The KV the Worker writes to. */
  readonly kv: MemoryKv;
  /** Every request made through `fetch` that reached the Worker, as `'POST /api/chat'`, oldest first. */
  readonly requests: readonly string[];
  /** The conversation as the Worker's history answers it (every page), whatever the network's state. */
  messages(sessionId: string): Promise<ChatMessage[]>;
  /**
   * Another device sends a user turn (through the Worker's own route, whatever the network's state) and waits
   * for its reply to end.
   */
  send(sessionId: string, content: string, options?: { id?: string }): Promise<TestExchange>;
  /**
   * Writes records straight into KV under the Worker's keys, with the Worker's retention: a conversation from
   * before the test, or a reply left `streaming` by a Worker that went away.
   */
  seed(records: readonly ChatMessage[]): Promise<void>;
  /** Resolves once the Worker's work after its responses (`waitUntil`) has settled. */
  settled(): Promise<void>;
}

async function answerOf<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`The test Worker answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * @example
 * ```ts
 * const server = createTestWorker({ reply: (prompt) => `Echo: ${prompt}` });
 * const chat = new ChatClient({ fetch: server.fetch, indexedDB: freshIndexedDB(), onlineEvents: server.onlineEvents });
 * await chat.send('hi'); // resolves with the reply "Echo: hi"
 * ```
 */
export function createTestWorker(options: TestWorkerOptions = {}): TestWorker {
  const chatOptions = options.worker ?? {};
  const basePath = chatOptions.basePath ?? DEFAULT_BASE_PATH;
  const retentionSeconds = chatOptions.retentionSeconds ?? DEFAULT_RETENTION_SECONDS;
  const kv = options.kv ?? memoryKv(chatOptions.now ? { now: chatOptions.now } : {});
  const model = createTestModel({
    ...(options.reply === undefined ? {} : { reply: options.reply }),
    ...(options.pieceDelayMs === undefined ? {} : { pieceDelayMs: options.pieceDelayMs }),
  });
  // Cast once here: the memory KV has the calls chatkeep makes, without the Workers globals in its type.
  const objectOptions = { ...chatOptions, kv: kv as unknown as KVNamespace, model };
  const objects = inProcessConversations(createConversationClass<ChatWorkerEnv>(objectOptions));
  const worker: FetchHandler<ChatWorkerEnv> = createChatWorker({ ...objectOptions, conversations: objects.namespace });
  const host = inProcess(worker, {}, options.origin ?? DEFAULT_TEST_ORIGIN);
  const requests: string[] = [];
  const reachWorker = (input: string | URL | Request, init?: RequestInit) => {
    const request = typeof input === 'string' ? new Request(new URL(input, options.origin ?? DEFAULT_TEST_ORIGIN), init) : new Request(input, init);
    requests.push(`${request.method} ${new URL(request.url).pathname}`);
    return host.fetch(request);
  };
  const network = testNetwork();
  const url = (path: string, query: Record<string, string>) => `${basePath}${path}?${new URLSearchParams(query).toString()}`;

  return {
    fetch: network.connect(reachWorker),
    model,
    network,
    onlineEvents: network.events,
    kv,
    requests,
    async messages(sessionId) {
      const messages: ChatMessage[] = [];
      let page: string | null = null;
      do {
        const query: Record<string, string> = page === null ? { sessionId } : { sessionId, cursor: page };
        const answer: HistoryResponseBody = await answerOf<HistoryResponseBody>(await host.fetch(url('/history', query)));
        messages.push(...answer.messages);
        page = answer.nextPage;
      } while (page !== null);
      return messages;
    },
    async send(sessionId, content, sendOptions = {}) {
      const response = await host.fetch(`${basePath}/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId, message: { id: sendOptions.id ?? crypto.randomUUID(), content } }),
      });
      if (!response.ok) throw new Error(`The test Worker refused the turn: ${response.status} ${await response.text()}`);
      const frames = sseFrames(await response.text());
      const start = frames.find((f) => f.event === 'start');
      const end = frames.at(-1);
      if (start === undefined || end === undefined || (end.event !== 'done' && end.event !== 'error')) {
        throw new Error(`The test Worker's stream did not end with done or error: ${JSON.stringify(frames)}`);
      }
      const { userMessage } = JSON.parse(start.data) as StartEventData;
      if (end.event === 'done') return { userMessage, reply: (JSON.parse(end.data) as DoneEventData).message };
      const failed = JSON.parse(end.data) as ErrorEventData;
      return { userMessage, reply: failed.message, error: failed.error };
    },
    async seed(records) {
      // A record under a key the Worker refuses to read would sit in KV unseen: a test would pass for the wrong reason.
      const unreadable = records.find((record) => !isValidId(record.sessionId) || !isValidId(record.id));
      if (unreadable !== undefined) {
        throw new TypeError(`Cannot seed ${unreadable.sessionId}/${unreadable.id}: ids must match [A-Za-z0-9_-]{8,128}`);
      }
      await Promise.all(
        records.map((record) =>
          kv.put(messageKey(record.sessionId, record.id), JSON.stringify(record), { expirationTtl: retentionSeconds }),
        ),
      );
    },
    async settled() {
      // A reply runs in its object, after the Worker's own work has handed it over.
      await host.settled();
      await objects.settled();
    },
  };
}
