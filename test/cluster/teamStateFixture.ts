// What the team-state cluster tests share: KV team stores on their own engine connections,
// written the way the relay's StoreWrites does, and polling for state other relays change.
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { createStreamLogger, Logger, silentLogger } from '../../src/net/logger';
import { KvTeamStore } from '../../src/server/cluster/kvTeamStore';
import type { ChannelRecord } from '../../src/server/teamStore';
import type { Cleanup } from '../unit/helpers/loopback';
import { NatsCluster, startNats } from './natsServers';

const logger: Logger = process.env.TM_CLUSTER_DEBUG ? createStreamLogger((l) => process.stderr.write(l + '\n'), 'debug') : silentLogger;

/** A fresh one-node nats-server for each test; `cleanup` (the stores) runs before it stops. */
export function useOneNodeNats(cleanup: Cleanup): { readonly nats: NatsCluster } {
  let nats: NatsCluster | undefined;
  beforeEach(async function () {
    this.timeout(60_000);
    nats = await startNats({ nodes: 1 });
  });
  afterEach(async () => {
    await cleanup.run();
    await nats?.stop();
    nats = undefined;
  });
  return {
    get nats() {
      if (!nats) throw new Error('the engine starts in beforeEach');
      return nats;
    },
  };
}

/** A store as a relay of the cluster has it (opened before listening), closed by `cleanup`. */
export async function openTeamStore(cleanup: Cleanup, nats: NatsCluster): Promise<KvTeamStore> {
  // Typed by hand: transport-node re-exports its types from a subpath "node" resolution cannot see.
  const nc: NatsConnection = await connect({ servers: nats.urls, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  const store = new KvTeamStore(logger);
  cleanup.add('team store', async () => {
    store.close();
    await nc.close();
  });
  await store.open(new Kvm(nc));
  return store;
}

/** What the relay does after a change: flush, then wait for the engine to hold it. */
export function commit(store: KvTeamStore): Promise<void> {
  const written = store.written();
  store.flush();
  return written;
}

export function channel(id: string, name: string, members: string[], changes: Partial<ChannelRecord> = {}): ChannelRecord {
  return { id, name, topic: '', private: false, archived: false, createdBy: members[0] ?? '', createdAt: 1, members: new Set(members), ...changes };
}

/** Polls until `check` holds, or fails naming `what`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
