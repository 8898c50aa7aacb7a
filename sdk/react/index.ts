export { useConversation, type Conversation, type UseConversationOptions } from './use-conversation';
