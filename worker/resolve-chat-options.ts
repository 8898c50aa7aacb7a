import { resolveOptions, type ChatWorkerOptions, type ResolvedOptions } from './options';
import { createDemoModel } from './providers/demo-model';
import { uuidV7 } from './uuid-v7';

/** The options with chatkeep's defaults applied, for the Worker and its conversation object alike. */
export function resolveChatOptions<E>(options: ChatWorkerOptions<E>): ResolvedOptions<E> {
  return resolveOptions(options, {
    model: () => createDemoModel(),
    newId: (now) => () => uuidV7(now()),
  });
}
