import { createChatWorker } from '../../../worker/create-chat-worker';
import { createConversationClass } from '../../../worker/conversation/conversation-object';
import type { ChatWorkerEnv, ConversationObjectOptions } from '../../../worker/options';
import { inProcess, type InProcessWorker } from '../../../worker/testing/in-process';
import { inProcessConversations } from '../../../worker/testing/in-process-conversations';

/**
 * The Worker and its conversation objects in this process, built from one set of options as an app builds them;
 * `settled()` waits for the Worker's work and then the objects' (a reply runs in its object).
 */
export function chatHost(options: ConversationObjectOptions<ChatWorkerEnv>): InProcessWorker {
  const objects = inProcessConversations(createConversationClass(options));
  const host = inProcess(createChatWorker({ ...options, conversations: objects.namespace }), {});
  return {
    fetch: host.fetch,
    async settled() {
      await host.settled();
      await objects.settled();
    },
  };
}
