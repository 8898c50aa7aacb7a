export { useConversation, type Conversation, type UseConversationOptions } from './use-conversation';
export { useConversations, type Conversations } from './use-conversations';
