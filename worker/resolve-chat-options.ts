import { resolveOptions, type ChatWorkerOptions, type ResolvedOptions } from './options';
import { createDemoModel } from './providers/demo-model';
import { uuidv7 } from '../sdk/ids';

/** The options with chatkeep's defaults applied, for the Worker and its conversation object alike. */
export function resolveChatOptions<E>(options: ChatWorkerOptions<E>): ResolvedOptions<E> {
  return resolveOptions(options, {
    model: () => createDemoModel(),
    // A clock may answer fractions of a millisecond; a UUIDv7 holds whole ones.
    newId: (now) => () => uuidv7(Math.floor(now())),
  });
}
