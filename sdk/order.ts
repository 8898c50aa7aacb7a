import type { ChatMessage } from './protocol';

/** The order history uses: by `timestamp`, then `id`. */
export const byTime = (a: ChatMessage, b: ChatMessage): number =>
  a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
