import { MAX_KV_OPS_PER_REQUEST, type ChatMessage, type MessageStatus } from '../../sdk/protocol';
import type { ChatKvNamespace } from '../cloudflare-types';
import { HttpError } from '../http-error';
import { messageIdFromKey, messageKey, sessionPrefix } from './message-key';
import {
  isMessageMetadata,
  messageFromMetadata,
  messageFromValue,
  messageJson,
  metadataFor,
  type MessageMetadata,
} from './stored-message';

/** Seconds a client is told to wait after KV failed. */
const STORAGE_RETRY_AFTER_SECONDS = 2;

/** The 503 a client may retry after KV failed; `message` says what could not be done. */
export function storageUnavailable(message: string, cause: unknown): HttpError {
  return new HttpError(503, 'storage_unavailable', message, { retryAfterSeconds: STORAGE_RETRY_AFTER_SECONDS, cause });
}

/** A failed KV call is an outage the client may retry (503), never a 500 with KV's message. */
async function guard<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw storageUnavailable('Storage is unavailable; try again', cause);
  }
}

/** KV operations one route may spend: the platform's per-request limit, less room for the app's own calls. */
export const KV_OPS_BUDGET = MAX_KV_OPS_PER_REQUEST - 50;

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
    private readonly kv: ChatKvNamespace,
    readonly sessionId: string,
    private readonly retentionSeconds: number,
  ) {}

  /**
   * Writes the record (fields in the wire order) with its list metadata.
   * @param contentJson `JSON.stringify(message.content)` when the caller already has it (see {@link messageJson})
   */
  async put(message: ChatMessage, contentJson?: string): Promise<void> {
    await guard(() =>
      this.kv.put(messageKey(this.sessionId, message.id), messageJson(message, contentJson), {
        expirationTtl: this.retentionSeconds,
        metadata: metadataFor(message),
      }),
    );
  }

  async get(id: string): Promise<ChatMessage | undefined> {
    const raw = await guard(() => this.kv.get(messageKey(this.sessionId, id), 'text'));
    return raw === null ? undefined : messageFromValue(this.sessionId, id, raw);
  }

  /**
   * The record if its status passes `wanted`, else `undefined`: one KV read, like {@link get}. The status is taken
   * from the key's metadata, so a check that usually finds nothing of interest (a streaming reply looking for a
   * stop made elsewhere, once per checkpoint) never parses the value, which grows with the reply.
   */
  async getIf(id: string, wanted: (status: MessageStatus) => boolean): Promise<ChatMessage | undefined> {
    const { value, metadata } = await guard(() => this.kv.getWithMetadata<unknown>(messageKey(this.sessionId, id), 'text'));
    if (value === null) return undefined;
    if (isMessageMetadata(metadata) && !wanted(metadata.status)) return undefined;
    const message = messageFromValue(this.sessionId, id, value);
    return wanted(message.status) ? message : undefined;
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
