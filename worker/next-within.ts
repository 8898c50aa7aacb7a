import { ModelError } from './providers/model-provider';

/**
 * The iterator's next piece, or a `model_timeout` {@link ModelError} if none arrives within `timeoutMs`; on timeout
 * `onTimeout` runs first (it aborts the model request so the connection is released).
 */
export async function nextWithin<T>(
  iterator: AsyncIterator<T>,
  timeoutMs: number,
  onTimeout: (error: ModelError) => void,
): Promise<IteratorResult<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const next = iterator.next();
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new ModelError('model_timeout', `The model sent nothing for ${timeoutMs} ms`);
      onTimeout(error);
      // The pending `next()` settles later (usually with the abort); nobody is waiting for it any more.
      next.catch(() => undefined);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([next, timeout]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
