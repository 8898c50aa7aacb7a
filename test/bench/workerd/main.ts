/**
 * The workerd bench project's main module: the deployable Worker's exports, plus two conversation objects whose
 * storage writes are counted — chatkeep's, with the model the running case chose, and the per-chunk pattern (each
 * piece of a reply written to the object's storage as it arrives, as `AIChatAgent` resumes from a row per chunk).
 */
import { createConversationClass } from '../../../worker/conversation/conversation-object';
import type { ConversationObjectOptions } from '../../../worker/options';
import type { ModelProvider } from '../../../worker/providers/model-provider';

/** Storage operations made by the bench's objects, by kind. */
export const storageCounts = { put: 0, delete: 0 };

let currentOptions: ConversationObjectOptions<Cloudflare.Env> = {};
let currentModel: ModelProvider | undefined;

/** The options (and so the model) the next objects are built with. */
export function useBenchOptions(options: ConversationObjectOptions<Cloudflare.Env>): void {
  currentOptions = options;
  currentModel = typeof options.model === 'object' ? options.model : undefined;
}

/** The object's state with its storage's writes counted. */
function countedState(state: DurableObjectState): DurableObjectState {
  const storage = state.storage;
  const counted = new Proxy(storage, {
    get(target, prop) {
      const member: unknown = Reflect.get(target, prop);
      if (typeof member !== 'function') return member;
      if (prop === 'put' || prop === 'delete' || prop === 'deleteAll') {
        return (...args: unknown[]) => {
          if (prop === 'put') storageCounts.put++;
          else storageCounts.delete++;
          return (member as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (member as (...a: unknown[]) => unknown).bind(target);
    },
  });
  return new Proxy(state, {
    get(target, prop) {
      if (prop === 'storage') return counted;
      const member: unknown = Reflect.get(target, prop);
      return typeof member === 'function' ? (member as (...a: unknown[]) => unknown).bind(target) : member;
    },
  });
}

// The deployable Worker's default export and object (wrangler.jsonc binds it); not worker/index.ts, whose token
// helpers do not typecheck under the DOM lib the bench's node cases need.
export { default, ChatConversation } from '../../../worker/default-worker';

export class BenchConversation extends createConversationClass<Cloudflare.Env>(() => currentOptions) {
  constructor(state: DurableObjectState, env: Cloudflare.Env) {
    super(countedState(state), env);
  }
}

/** The per-chunk pattern: the reply streams from the model and every piece is written to storage on arrival. */
export class PerChunkConversation implements DurableObject {
  private readonly state: DurableObjectState;

  constructor(state: DurableObjectState) {
    this.state = countedState(state);
  }

  async fetch(): Promise<Response> {
    const model = currentModel;
    if (model === undefined) return new Response('no model', { status: 500 });
    let index = 0;
    for await (const piece of model.stream({ messages: [], signal: new AbortController().signal })) {
      await this.state.storage.put(`chunk:${String(index++).padStart(6, '0')}`, piece);
    }
    return new Response(String(index));
  }
}
