/** Shared pieces of the SDK integration tests: clients on their own fake IndexedDB, against the real Worker. */
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, inject, onTestFinished, vi } from 'vitest';
import { ChatClient } from '../../sdk/chat-client';
import type { ChatClientOptions } from '../../sdk/chat-client-options';
import type { ChatMessage, HistoryResponseBody } from '../../sdk/protocol';
import type { TabMessage } from '../../sdk/tabs';

/**
 * Catches the client's console warnings for the current test (a fall back to memory warns): returns them, each
 * joined into one line, so the test checks them and the run stays quiet.
 */
export function caughtWarnings(): () => string[] {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  onTestFinished(() => warn.mockRestore());
  return () => warn.mock.calls.map((call) => call.join(' '));
}

/** Returns a function that hands back the client it is given and closes it after the current test. */
export function closedAfterEach(): <T extends ChatClient>(chat: T) => T {
  const open: ChatClient[] = [];
  afterEach(() => open.splice(0).forEach((c) => c.close()));
  return (chat) => (open.push(chat), chat);
}

export const origin = (): string => inject('workerOrigin');

/** A client on the given (or a new) fake IndexedDB, talking to the Worker at `base`. */
export function client(options: ChatClientOptions & { base?: string } = {}): ChatClient {
  const { base = origin(), ...rest } = options;
  return new ChatClient({ endpoint: `${base}/api`, indexedDB: new IDBFactory(), onlineEvents: new EventTarget(), ...rest });
}

/** Resolves when `test` holds for the client's messages (checked on every change), or rejects after `ms`. */
export function until(chat: ChatClient, test: (messages: readonly ChatMessage[]) => boolean, ms = 20_000): Promise<readonly ChatMessage[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!test(chat.messages)) return false;
      off();
      clearTimeout(timer);
      resolve(chat.messages);
      return true;
    };
    const off = chat.subscribe(() => void check());
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out; messages: ${JSON.stringify(chat.messages, null, 1)}`));
    }, ms);
    check();
  });
}

export const finalReplies = (messages: readonly ChatMessage[]): ChatMessage[] =>
  messages.filter((m) => m.role === 'assistant' && m.status === 'complete');

/** The server's view of a conversation, read straight from the Worker. */
export async function serverHistory(sessionId: string, base = origin()): Promise<ChatMessage[]> {
  const res = await fetch(`${base}/api/history?sessionId=${sessionId}`);
  return ((await res.json()) as HistoryResponseBody).messages;
}

/** A fetch that can be switched off (it then rejects, as fetch does offline) and counts requests by path. */
export function switchableFetch(): {
  fetch: (url: string, init?: RequestInit) => Promise<Response>;
  online: boolean;
  calls: string[];
} {
  const state = {
    online: true,
    calls: [] as string[],
    fetch: (url: string, init?: RequestInit) => {
      state.calls.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
      return state.online ? fetch(url, init) : Promise.reject(new TypeError('Failed to fetch'));
    },
  };
  return state;
}

/** A BroadcastChannel for a client that records what it posts to other tabs (a copy of each, in order). */
export function recordingChannel(): { Channel: typeof BroadcastChannel; posted: TabMessage[] } {
  const posted: TabMessage[] = [];
  class RecordingChannel {
    onmessage = null;
    postMessage(message: TabMessage) {
      posted.push(structuredClone(message));
    }
    close() {}
  }
  return { Channel: RecordingChannel as unknown as typeof BroadcastChannel, posted };
}
