export { ChatkeepTransport, type ChatkeepTransportOptions } from './chatkeep-transport';
export { loadUIMessages, toUIMessages } from './history-messages';
export type { WorkerAccess } from './worker-request';
