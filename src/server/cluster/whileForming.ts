import type { Logger } from '../../net/logger';

/**
 * What JetStream answers while its cluster is still forming (nodes started together, a node
 * restarting, a leader being elected): worth waiting for at a relay's start, unlike a stream or
 * bucket that cannot be made at all. A request that times out then is one of these: its answer
 * waits for a leader.
 */
const FORMING =
  /no suitable peers for placement|insufficient resources|temporarily unavailable|cluster not (?:ready|available)|no leader|no responders|^timeout$|TIMEOUT/i;
const FORMING_WAIT_MS = 60_000;
const FORMING_RETRY_MS = 500;

/** Runs `work` again while the engine's JetStream cluster is still forming, for up to a minute. */
export async function whileForming<T>(work: () => Promise<T>, logger: Logger, what: string): Promise<T> {
  const deadline = Date.now() + FORMING_WAIT_MS;
  for (let said = false; ;) {
    try {
      return await work();
    } catch (err) {
      const message = (err as Error).message;
      if (!FORMING.test(message) || Date.now() > deadline) throw err;
      if (!said) logger.info('waiting for the engine’s JetStream cluster to form', { for: what, error: message });
      said = true;
      await new Promise((resolve) => setTimeout(resolve, FORMING_RETRY_MS));
    }
  }
}
