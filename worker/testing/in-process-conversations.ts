/**
 * The conversation object in node, for an app's unit tests and for the bench rows that must run where CPU time and
 * wall time can be read (workerd stops its clocks during CPU work): a namespace that builds one object per name on
 * first use, with a state whose storage is a Map, and calls it as a stub would. What the runtime adds around an
 * object (input gates, the serialization of a call) is not here; the object's own code all is.
 */
import type {
  ChatDurableObject,
  ChatDurableObjectId,
  ChatDurableObjectNamespace,
  ChatDurableObjectState,
  ChatDurableObjectStorage,
} from '../cloudflare-types';

type ConversationObjectClass = new (state: ChatDurableObjectState, env: never) => ChatDurableObject;

export interface InProcessConversations {
  /** Pass as `createChatWorker({ conversations })`. */
  namespace: ChatDurableObjectNamespace;
  /** Resolves once every object's `waitUntil` work registered so far (and any it registers) has settled. */
  settled(): Promise<void>;
}

/** A Map as the object's storage; its alarm runs `onAlarm` when due (at once for a time already past). */
function mapStorage(onAlarm: () => void): ChatDurableObjectStorage {
  const entries = new Map<string, unknown>();
  let alarm: ReturnType<typeof setTimeout> | undefined;
  return {
    async get<T>(key: string) {
      return entries.has(key) ? (structuredClone(entries.get(key)) as T) : undefined;
    },
    async setAlarm(scheduledTime) {
      // One alarm per object, as in the runtime: setting it again moves it.
      if (alarm !== undefined) clearTimeout(alarm);
      alarm = setTimeout(() => {
        alarm = undefined;
        onAlarm();
      }, Math.max(0, scheduledTime - Date.now()));
    },
    async put(key, value) {
      entries.set(key, structuredClone(value));
    },
    async delete(key) {
      return entries.delete(key);
    },
    async deleteAll() {
      entries.clear();
    },
    async list<T>(options: { prefix?: string } = {}) {
      const found = new Map<string, T>();
      for (const [key, value] of [...entries].sort(([a], [b]) => (a < b ? -1 : 1)))
        if (key.startsWith(options.prefix ?? '')) found.set(key, structuredClone(value) as T);
      return found;
    },
  };
}

/**
 * @example
 * ```ts
 * const objects = inProcessConversations(createConversationClass({ kv, model }));
 * const host = inProcess(createChatWorker({ kv, model, conversations: objects.namespace }), {});
 * ```
 */
export function inProcessConversations(ObjectClass: ConversationObjectClass): InProcessConversations {
  const pending = new Set<Promise<unknown>>();
  const objects = new Map<string, { object: ChatDurableObject; blocked: Promise<unknown> }>();
  const objectFor = (name: string) => {
    let entry = objects.get(name);
    if (entry === undefined) {
      let blocked: Promise<unknown> = Promise.resolve();
      const state: ChatDurableObjectState = {
        storage: mapStorage(() => state.waitUntil(object.alarm())),
        blockConcurrencyWhile(callback) {
          const result = callback();
          blocked = result.catch(() => undefined);
          return result;
        },
        waitUntil(promise) {
          const tracked = promise.catch(() => undefined).finally(() => pending.delete(tracked));
          pending.add(tracked);
        },
      };
      const object = new ObjectClass(state, undefined as never);
      entry = { object, get blocked() { return blocked; } };
      objects.set(name, entry);
    }
    return entry;
  };
  const namespace: ChatDurableObjectNamespace = {
    idFromName: (name): ChatDurableObjectId => ({ toString: () => name }),
    get: (id) => ({
      async fetch(input, init) {
        const entry = objectFor(id.toString());
        // As the runtime holds calls while the constructor's blockConcurrencyWhile runs.
        await entry.blocked;
        return entry.object.fetch(new Request(input, init));
      },
    }),
  };
  return {
    namespace,
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
