import type { ChatMessage } from '../sdk/protocol';
import { HttpError } from './http-error';
import { messageIdFromKey, messageKey, sessionPrefix } from './message-key';
import {
  isMessageMetadata,
  messageFromMetadata,
  messageFromValue,
  metadataFor,
  type MessageMetadata,
} from './stored-message';

/** Seconds a client is told to wait after KV failed. */
const STORAGE_RETRY_AFTER_SECONDS = 2;

/** A failed KV call is an outage the client may retry (503), never a 500 with KV's message. */
async function guard<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw new HttpError(503, 'storage_unavailable', 'Storage is unavailable; try again', {
      retryAfterSeconds: STORAGE_RETRY_AFTER_SECONDS,
      cause,
    });
  }
}

/** KV returns at most this many keys per `list()` call. */
export const KV_LIST_LIMIT = 1000;

/** One key of a conversation as `list()` returns it. */
export interface ListedMessage {
  id: string;
  /** `undefined` for records written without metadata (the older pattern). */
  metadata: MessageMetadata | undefined;
}

export interface ListedPage {
  messages: ListedMessage[];
  /** KV's cursor for the page after this one; `undefined` when this was the last. */
  nextCursor: string | undefined;
}

/**
 * One conversation's records in KV. Every read and write of `message:*` keys goes through here, through the KV
 * binding it was given (so an app or a test can pass an instrumented namespace).
 */
export class SessionStore {
  constructor(
    private readonly kv: KVNamespace,
    readonly sessionId: string,
    private readonly retentionSeconds: number,
  ) {}

  async put(message: ChatMessage): Promise<void> {
    await guard(() =>
      this.kv.put(messageKey(this.sessionId, message.id), JSON.stringify(message), {
        expirationTtl: this.retentionSeconds,
        metadata: metadataFor(message),
      }),
    );
  }

  async get(id: string): Promise<ChatMessage | undefined> {
    const raw = await guard(() => this.kv.get(messageKey(this.sessionId, id), 'text'));
    return raw === null ? undefined : messageFromValue(this.sessionId, id, raw);
  }

  async delete(id: string): Promise<void> {
    await guard(() => this.kv.delete(messageKey(this.sessionId, id)));
  }

  /** One `list()` call: one KV operation for up to {@link KV_LIST_LIMIT} keys. */
  async list(cursor: string | undefined, limit = KV_LIST_LIMIT): Promise<ListedPage> {
    const result = await guard(() =>
      this.kv.list<unknown>({
        prefix: sessionPrefix(this.sessionId),
        limit,
        ...(cursor === undefined ? {} : { cursor }),
      }),
    );
    return {
      messages: result.keys.map((key) => ({
        id: messageIdFromKey(this.sessionId, key.name),
        metadata: isMessageMetadata(key.metadata) ? key.metadata : undefined,
      })),
      nextCursor: result.list_complete ? undefined : result.cursor,
    };
  }

  /** The record from its metadata when that holds the content, else `undefined` ({@link get} is needed). */
  fromListing(entry: ListedMessage): ChatMessage | undefined {
    return entry.metadata === undefined ? undefined : messageFromMetadata(this.sessionId, entry.id, entry.metadata);
  }

  /** The record, from metadata when possible, else with one `get`. `undefined` if it vanished in between. */
  async resolve(entry: ListedMessage): Promise<ChatMessage | undefined> {
    return this.fromListing(entry) ?? (await this.get(entry.id));
  }
}
