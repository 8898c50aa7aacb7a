// What the demo page exposes to scripts, typed as narrowly as the suite reads it.
import type { ChatMessage } from '../../../sdk/protocol';
import type { ConversationSummary } from '../../../sdk/protocol-conversations';

declare global {
  interface Window {
    chat?: {
      readonly sessionId: string;
      readonly messages: readonly ChatMessage[];
      readonly status: 'idle' | 'syncing' | 'streaming' | 'offline';
      readonly ready: Promise<void>;
    };
    /** The demo's ConversationList: the owner's sidebar. */
    conversations?: {
      readonly ownerKey: string | undefined;
      readonly conversations: readonly ConversationSummary[];
      sync(): Promise<void>;
    };
    /** Set by `sampleStreaming` (test/e2e/support/streaming-samples.ts). */
    streamingSamples?: {
      /** `performance.now()` when `chat.ready` resolved. */
      readyAt?: number;
      /** The streaming reply's text length, sampled every few ms from the start of the document. */
      samples: { at: number; length: number }[];
    };
  }
}
