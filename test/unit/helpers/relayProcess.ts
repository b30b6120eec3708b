/**
 * Runs one relay in a child process for crash tests (see RelayProcess in loopback.ts).
 * argv[2] is the JSON RelayOptions; the bound port and epoch are sent back over IPC.
 * The process lives until it is killed, or until its parent goes away.
 */
import { Relay, RelayOptions } from '../../../src/server/relay';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as RelayOptions;
  const relay = new Relay(options);
  const address = await relay.start();
  process.send?.({ port: address.port, epoch: relay.epoch });
  process.on('disconnect', () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`relay process failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
