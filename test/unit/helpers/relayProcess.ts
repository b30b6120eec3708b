/**
 * Runs one relay in a child process for crash and storm tests (see RelayProcess in loopback.ts).
 * argv[2] is the JSON RelayOptions; the bound port and epoch are sent back over IPC. The parent
 * may ask over IPC for a graceful stop or for the relay's figures (see RelayProcessRequest).
 * The process lives until it is killed, stopped, or its parent goes away.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { LogFields, Logger } from '../../../src/net/logger';
import { Relay, RelayOptions } from '../../../src/server/relay';

/** What the parent may ask. */
export type RelayProcessRequest = { t: 'stop' } | { t: 'stats' };

/** The relay's figures: events counted by log message (a flood log's summary line counts its
 *  `suppressed` repeats), evictions by admission, and the event loop's longest stall. */
export interface RelayProcessStats {
  logged: Record<string, number>;
  evictions: number;
  clients: number;
  maxLoopDelayMs: number;
  /** CPU time the relay process has used (user and system). */
  cpuMs: number;
}

/** What the child says: ready once, then one answer per stats request (a stop is answered by
 *  the process exiting). */
export type RelayProcessReply = { t: 'ready'; port: number; epoch: string } | { t: 'stats'; stats: RelayProcessStats };

/** Counts lines by message instead of printing them: a storm's refusals are figures, not output. */
function countingLogger(logged: Record<string, number>): Logger {
  const count = (message: string, fields: LogFields = {}) => {
    logged[message] = (logged[message] ?? 0) + (typeof fields.suppressed === 'number' ? fields.suppressed : 1);
  };
  return { debug: count, info: count, warn: count, error: count };
}

/** The relay's private parts these figures come from (a test-only look, as in security.ts). */
interface RelayInternals {
  admission: { evictions: number };
  floodLog: { flush(): void };
}

function cpuMs(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as RelayOptions;
  const logged: Record<string, number> = {};
  const relay = new Relay({ ...options, logger: countingLogger(logged) });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const address = await relay.start();
  loop.reset(); // the stalls of serving clients, not of loading the history
  const reply = (message: RelayProcessReply) => process.send?.(message);
  reply({ t: 'ready', port: address.port, epoch: relay.epoch });
  process.on('message', (request: RelayProcessRequest) => {
    if (request.t === 'stop') {
      void relay.stop('restart').then(() => process.exit(0));
      return;
    }
    const internals = relay as unknown as RelayInternals;
    // Held repeats are counted once flushed: ask for them now rather than at the next interval.
    internals.floodLog.flush();
    reply({
      t: 'stats',
      stats: { logged: { ...logged }, evictions: internals.admission.evictions, clients: relay.clientCount, maxLoopDelayMs: loop.max / 1e6, cpuMs: cpuMs() },
    });
  });
  process.on('disconnect', () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`relay process failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
