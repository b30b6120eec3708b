// Chaos on one machine (issue 29): a 3-node NATS cluster, 3 relay processes and a few hundred
// real clients sending numbered direct, channel and broadcast messages; a relay is killed with
// SIGKILL mid-traffic, then the node leading the chat stream, then both come back. Every acked
// message must reach each recipient exactly once, in increasing seqs, presence must agree again
// and the dead relay's people must be back elsewhere quickly.
//
// Sizes come from the environment for heavier local runs (defaults keep CI within minutes):
// CHAOS_CLIENTS (300), CHAOS_RATE (messages/s, 60), CHAOS_PHASE_MS (4000), CHAOS_SEED (random).
import * as assert from 'node:assert/strict';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { ChaosClient, closeFleet, connectFleet } from './chaosClients';
import { percentile, presenceConverged, resumeTimes, streamLeader } from './chaosChecks';
import { ChaosLedger } from './chaosLedger';
import { ChaosTraffic, seededRandom } from './chaosTraffic';
import { NatsCluster, startNats } from './natsServers';
import { RelayProcess, startRelayProcesses } from './relayProcesses';

const CLIENTS = envInt('CHAOS_CLIENTS', 300);
const RATE = envInt('CHAOS_RATE', 60);
const PHASE_MS = envInt('CHAOS_PHASE_MS', 4000);
const SEED = envInt('CHAOS_SEED', Math.floor(Math.random() * 2 ** 31));
const PRESENCE_LIMIT_MS = 10_000;
const RESUME_LIMIT_MS = 5_000;

function envInt(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}=${value} is not a positive integer`);
  return n;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/**
 * A channel whose members live on every relay (every 5th client; homes are i mod 3), or undefined
 * while the cluster refuses channels (they are relay-owned state that must move to the engine
 * first): the rest of the test still runs, and says so.
 */
async function chaosChannel(clients: ChaosClient[], log: (line: string) => void): Promise<{ target: string; members: number[] } | undefined> {
  const members = clients.filter((c) => c.index % 5 === 1).map((c) => c.index);
  try {
    const channel = await clients[members[0]].client.conversations.create('chaos', { members: members.map((i) => clients[i].clientId) });
    return { target: `#${channel.id}`, members };
  } catch (err) {
    log(`NO CHANNEL TRAFFIC: the cluster refused to create a channel (${(err as Error).message})`);
    return undefined;
  }
}

describe('cluster chaos: relays and the stream leader killed mid-traffic (real nats-server)', function () {
  this.timeout(300_000);
  let nats: NatsCluster | undefined;
  let relays: RelayProcess[] = [];
  let clients: ChaosClient[] = [];
  let nc: NatsConnection | undefined;

  after(async () => {
    await closeFleet(clients);
    await nc?.close();
    await Promise.all(relays.map((r) => r.stop()));
    await nats?.stop();
  });

  it(`delivers every acked message once, in order, to ${CLIENTS} clients while relays and the leader die`, async () => {
    const log = (line: string) => process.stdout.write(`      [chaos seed=${SEED}] ${line}\n`);
    nats = await startNats({ nodes: 3 });
    relays = await startRelayProcesses(3, { natsUrls: nats.urls, replicas: 3 });
    clients = await connectFleet(
      CLIENTS,
      relays.map((r) => r.port),
    );
    const engine: NatsConnection = await connect({ servers: nats.urls });
    nc = engine;
    const connectedAt = Date.now();
    log(`${CLIENTS} clients connected; presence converged in ${await presenceConverged(clients, connectedAt, PRESENCE_LIMIT_MS)} ms`);

    const ledger = new ChaosLedger(clients);
    const channel = await chaosChannel(clients, log);
    const traffic = new ChaosTraffic(clients, ledger, { rate: RATE, broadcastShare: 0.05, channelShare: channel ? 0.2 : 0 }, seededRandom(SEED), channel);
    traffic.start();
    const failures: string[] = [];
    try {
      await sleep(PHASE_MS);

      ledger.phase = 'after relay 0 killed';
      const moved = clients.filter((c) => c.connected && c.relay === 0);
      const killedAt = Date.now();
      await relays[0].kill9();
      const resumed = await resumeTimes(moved, killedAt, 15_000);
      const late = resumed.filter((ms) => ms > RESUME_LIMIT_MS).length;
      log(`relay 0 killed: ${moved.length} clients resumed elsewhere, p50 ${percentile(resumed, 50)} ms, max ${Math.max(...resumed)} ms`);
      if (late > 0)
        failures.push(`${late} of ${moved.length} clients of the killed relay took over ${RESUME_LIMIT_MS} ms to resume (max ${Math.max(...resumed)} ms)`);
      await presenceConverged(clients, killedAt, PRESENCE_LIMIT_MS).then(
        (ms) => log(`presence converged ${ms} ms after the relay kill`),
        (err: Error) => failures.push(`after the relay kill: ${err.message}`),
      );
      await sleep(PHASE_MS);

      const leader = await streamLeader(engine);
      ledger.phase = `after leader node ${leader} killed`;
      await nats.kill9(leader);
      log(`stream leader node ${leader} killed`);
      await sleep(PHASE_MS);

      ledger.phase = 'after restarts';
      await nats.restart(leader);
      await relays[0].restart();
      const restartedAt = Date.now();
      log('leader node and relay 0 restarted');
      // A third of relay 1's people are sent to the restarted relay: it must resume their bookmarks.
      const rebalanced = clients.filter((c) => c.connected && c.relay === 1 && c.index % 3 === 0);
      const movedAt = Date.now();
      for (const c of rebalanced) c.moveTo(0);
      const back = await resumeTimes(rebalanced, movedAt, 15_000, 0);
      const stuck = rebalanced.filter((c) => !c.welcomes.some((w) => w.at >= movedAt && w.relay === 0)).length;
      log(`${rebalanced.length} clients moved to the restarted relay, there in max ${Math.max(...back)} ms`);
      if (stuck > 0) failures.push(`${stuck} of ${rebalanced.length} clients sent to the restarted relay did not get back onto it`);
      await presenceConverged(clients, restartedAt, PRESENCE_LIMIT_MS).then(
        (ms) => log(`presence converged ${ms} ms after the restarts`),
        (err: Error) => failures.push(`after the restarts: ${err.message}`),
      );
      await sleep(PHASE_MS);
    } finally {
      traffic.stop();
    }

    ledger.phase = 'drain';
    const settled = await until(() => ledger.unsettled === 0, 60_000);
    if (!settled) failures.push(`${ledger.unsettled} sends neither acked nor failed 60 s after the traffic stopped: ${ledger.unsettledSummary()}`);
    const delivered = await until(() => ledger.allDelivered(), 30_000);
    await sleep(1000); // a late duplicate would come now
    log(`delivered=${delivered} ${JSON.stringify(ledger.counts())}; slowest ack by phase (ms) ${JSON.stringify(ledger.slowestAcks())}`);
    await presenceConverged(clients, Date.now(), PRESENCE_LIMIT_MS).then(
      (ms) => log(`presence still converged after the drain (${ms} ms)`),
      (err: Error) => failures.push(`after the drain: ${err.message}`),
    );

    const violations = ledger.violations();
    if (violations.length > 0) failures.push(`delivery violations (${violations.length}):\n${ChaosLedger.summary(violations)}`);
    const gaveUp = clients.filter((c) => c.client.state === 'closed');
    if (gaveUp.length > 0) {
      const why = gaveUp.slice(0, 5).map((c) => `c${c.index} on relay ${c.relay}: ${c.losses.at(-1)?.why}`);
      failures.push(`${gaveUp.length} clients gave up reconnecting, e.g. ${why.join('; ')}`);
    }
    if (failures.length > 0) for (const [i, r] of relays.entries()) log(`relay ${i} stderr tail:\n${r.stderr.slice(-3000)}`);
    assert.ok(ledger.acked.length > 0, 'some messages were acked');
    assert.deepEqual(failures, [], failures.join('\n'));
  });
});
