// `chatkeep/testing`: for an app's own tests in node. Never imported by the browser bundle.
export { freshIndexedDB, type FakeIDBFactory } from './fresh-indexeddb';
export { DEFAULT_TEST_ORIGIN, inProcess, type FetchHandler, type InProcessContext, type InProcessWorker } from './in-process';
export { inProcessConversations, type InProcessConversations } from './in-process-conversations';
export {
  memoryKv,
  type KvBinding,
  type KvListKey,
  type KvListOptions,
  type KvListResult,
  type KvPutOptions,
  type KvValueType,
  type KvValueWithMetadata,
  type MemoryKv,
  type MemoryKvOptions,
} from './memory-kv';
export { testNetwork, type TestNetwork } from './network';
export {
  createTestModel,
  wordPieces,
  type TestModel,
  type TestModelCall,
  type TestModelFailure,
  type TestModelHang,
  type TestModelOptions,
  type TestReply,
} from './test-model';
export {
  createTestWorker,
  type TestExchange,
  type TestWorker,
  type TestWorkerChatOptions,
  type TestWorkerOptions,
} from './test-worker';
