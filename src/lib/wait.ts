/**
 * Retries `attempt` while it fails with a transient start-up condition (`retryable`), until `timeoutMs`
 * has passed. Used at start-up so that a restart right after a kill waits for the old process to let go
 * of its port or data directory instead of failing.
 */
export async function retryWhile<T>(attempt: () => Promise<T>, retryable: (err: unknown) => boolean, timeoutMs: number, stepMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (!retryable(err) || Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, stepMs));
    }
  }
}

export const isAddressInUse = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
