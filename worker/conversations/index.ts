export {
  DEFAULT_LIST_CALLS_PER_ANSWER,
  handleConversations,
  listConversations,
  renameConversation,
  type ConversationsRouteOptions,
} from './conversations-route';
export { entryAfterExchange, renamedEntry, sameEntry, type Exchange, type IndexEntry, type TitleSource } from './index-entry';
export { entryFromMetadata, entryMetadata, MAX_METADATA_BYTES, type EntryMetadata } from './index-metadata';
export { IndexWriter, type IndexWriterOptions, type RecordResult } from './index-writer';
export { MODEL_TITLE_TIMEOUT_MS, modelTitle, titleFromModelText } from './model-title';
export { indexKey, ownerPrefix, OwnerIndex, type IndexPage, type StoredEntry } from './owner-index';
export { ownerKeyFromRequest, requireOwnerId, resolveOwner, type OwnerOf } from './owner-key';
export { cutChars, oneLine, previewOf, requireTitle, titleFromTurn, UNTITLED } from './summary-text';
export { conversationsRoute, ownerIndexWriter, recordOwnedExchange, removeFromOwnerIndex, withRouteOwner } from './owner-routes';
export { ownerIdOfSub, ownerOfAuthorizer, withOwner } from './token-owner';
