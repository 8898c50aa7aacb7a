// This file is also the Worker's main module, and workerd accepts only handlers, functions and classes as a main
// module's exports: constants stay in their own modules.
export { default, ChatConversation } from './default-worker';
export { createChatWorker, type ChatWorker } from './create-chat-worker';
export { createConversationClass } from './conversation/conversation-object';
export {
  type AuthorizeResult,
  type ChatWorkerEnv,
  type ChatWorkerLimits,
  type ChatWorkerOptions,
  type ConversationObjectOptions,
  type FromEnv,
  type RateLimiter,
} from './options';
export { ConfigurationError } from './resolve-options';
export { HttpError, type HttpErrorOptions } from './http-error';
export type {
  ChatDurableObject,
  ChatDurableObjectId,
  ChatDurableObjectNamespace,
  ChatDurableObjectState,
  ChatDurableObjectStorage,
  ChatDurableObjectStub,
  ChatExecutionContext,
  ChatKvListKey,
  ChatKvListResult,
  ChatKvNamespace,
  ChatObjectRequestInit,
} from './cloudflare-types';
export {
  hmacSessionAuthorizer,
  signSessionToken,
  verifySessionToken,
  type HmacSessionAuthorizerOptions,
  type SessionTokenClaims,
  type SessionTokenFailure,
  type SessionTokenOptions,
  type SessionTokenResult,
} from './session-token';
export { modelFromEnv, optionsFromEnv, type ChatKeepEnv } from './env-worker';
export { messageKey, sessionPrefix } from './store/message-key';
export { createDemoModel, demoReasoningWords, demoReply, demoReplyWords, type DemoModelOptions } from './providers/demo-model';
export { createOpenAiModel, type OpenAiModelOptions } from './providers/openai-model';
export { createWorkersAiModel, type WorkersAiBinding, type WorkersAiModelOptions } from './providers/workers-ai-model';
export {
  ModelError,
  type ModelErrorCode,
  type ModelMessage,
  type ModelPiece,
  type ModelProvider,
  type ModelRequest,
  type ReasoningPiece,
  type TextPiece,
  type ToolCallPiece,
  type ToolResultPiece,
} from './providers/model-provider';
export type { Sleep } from './providers/sleep';
