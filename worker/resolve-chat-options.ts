import type { ConversationObjectOptions, FromEnv, ResolvedOptions } from './options';
import { resolveOptions } from './resolve-options';
import type { ChatDurableObjectNamespace } from './cloudflare-types';
import { createDemoModel } from './providers/demo-model';
import { uuidV7 } from './uuid-v7';

/** The options with chatkeep's defaults applied, for the Worker and its conversation object alike. */
export function resolveChatOptions<E>(
  options: ConversationObjectOptions<E> & { conversations?: FromEnv<ChatDurableObjectNamespace | undefined, E> },
): ResolvedOptions<E> {
  return resolveOptions(options, {
    model: () => createDemoModel(),
    newId: (now) => () => uuidV7(now()),
  });
}
