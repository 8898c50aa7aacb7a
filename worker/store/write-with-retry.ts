/** Attempts of one write: KV allows one write per key per second, and a final write may follow a checkpoint closely. */
const WRITE_ATTEMPTS = 3;

/** What {@link writeWithRetry} needs. */
export interface WriteRetryOptions {
  /** Pause between attempts: KV's one write per key per second, at least. */
  checkpointIntervalMs: number;
  log: (error: unknown) => void;
}

/**
 * Writes, retrying a failed attempt after a pause; answers whether the write went through. `giveUp` is asked before
 * each attempt (a stop that has the last word makes the rest pointless).
 */
export async function writeWithRetry(
  options: WriteRetryOptions,
  write: () => Promise<void>,
  giveUp: () => boolean = () => false,
): Promise<boolean> {
  for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
    if (giveUp()) return false;
    try {
      await write();
      return true;
    } catch (error) {
      options.log(error);
      if (attempt < WRITE_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, options.checkpointIntervalMs));
    }
  }
  return false;
}
