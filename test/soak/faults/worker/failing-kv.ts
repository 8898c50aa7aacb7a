import type { ChatKvNamespace } from '../../../../worker/index';
import type { InjectedFaults } from './cues';

/** The error an injected KV failure throws: KV's answer to a second write of one key within a second. */
export class InjectedKvFailure extends Error {
  override name = 'InjectedKvFailure';
}

/**
 * The KV binding as the soak's Worker sees it: every call goes to the real local KV, and each `put` fails, before it
 * reaches KV, with probability `failureRate` (as KV answers 429 or a transient 5xx). Reads, lists and deletes pass.
 */
export function failingKv(real: ChatKvNamespace, failureRate: number, faults: InjectedFaults): ChatKvNamespace {
  return {
    get: (key, type) => real.get(key, type),
    getWithMetadata: (key, type) => real.getWithMetadata(key, type),
    list: (options) => real.list(options),
    delete: (key) => real.delete(key),
    async put(key, value, options) {
      faults.kvPuts++;
      if (Math.random() < failureRate) {
        faults.kvPutsFailed++;
        throw new InjectedKvFailure(`KV PUT failed: 429 Too Many Requests (injected) for ${key}`);
      }
      return real.put(key, value, options);
    },
  };
}
