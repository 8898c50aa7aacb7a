export { ChatClient } from './chat-client';
export type {
  BackoffRange,
  ChatClientOptions,
  ChatSnapshot,
  ChatStatus,
  OnlineEvents,
  StorageFallbackEvent,
  Timers,
} from './chat-client-options';
export { ChatError, type ChatErrorCode, type ClientErrorCode } from './errors';
export type { Fetch } from './http';
export { makeSessionId } from './ids';
export type { ChatStorage, SessionRecord } from './storage/chat-storage';
export { idbStorage } from './storage/idb-storage';
export { memoryStorage } from './storage/memory-storage';
export type { Locks } from './tabs';
// Types only, so the bundle a browser downloads carries no constants it never uses.
export type * from './protocol';
export type * from './protocol-conversations';
export { DEFAULT_BASE_PATH, isValidId } from './protocol';
export {
  ConversationList,
  type ConversationListOptions,
  type ConversationListSnapshot,
  type ConversationListStatus,
} from './conversations/conversation-list';
