// What the demo page exposes to scripts, typed as narrowly as the suite reads it.
import type { ChatMessage } from '../../../sdk/protocol';

declare global {
  interface Window {
    chat?: {
      readonly sessionId: string;
      readonly messages: readonly ChatMessage[];
      readonly status: 'idle' | 'syncing' | 'streaming' | 'offline';
    };
  }
}
