// `chatkeep/worker/ai-sdk`: the Worker's model as any AI SDK language model. An entry of its own, so `ai` stays an
// optional peer that only a Worker using it installs, and never reaches `chatkeep/worker` or a browser entry.
export { aiSdkModel, DEFAULT_AI_SDK_MAX_STEPS, type AiSdkModelOptions } from './providers/ai-sdk-model';
export { toAiSdkPrompt, type AiSdkPrompt } from './providers/ai-sdk-messages';
