import { env } from 'cloudflare:workers';
import { createChatWorker, type ChatWorker, type ChatWorkerOptions } from '../../../worker/index';
import { useConversationOptions } from './conversation-options';

/** The two ways the Worker runs, held to one protocol suite. */
export interface WorkerMode {
  name: string;
  /** `true` where a conversation object owns the replies (live resume, attach, stop and delete at once). */
  live: boolean;
  create(options?: ChatWorkerOptions<Cloudflare.Env>): ChatWorker<Cloudflare.Env>;
}

export const KV_ONLY: WorkerMode = {
  name: 'KV only',
  live: false,
  create: (options = {}) => createChatWorker(options),
};

export const WITH_OBJECT: WorkerMode = {
  name: 'conversation object',
  live: true,
  create(options = {}) {
    useConversationOptions(options);
    return createChatWorker({ ...options, conversations: env.TEST_CONVERSATIONS });
  },
};

export const MODES: readonly WorkerMode[] = [KV_ONLY, WITH_OBJECT];
