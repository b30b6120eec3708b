// Presence across relays joined through a real nats-server: people on other relays appear, change
// and leave like local ones; a relay that dies silently has its people shown as left; a relay that
// starts late learns everyone from the KV snapshots; a client process that reconnects through
// another relay has its old connection closed there.
import { strict as assert } from 'node:assert';
import { ErrorCode } from '../../src/net/protocol/errors';
import { generateIdentity } from '../../src/net/identity';
import { createStreamLogger } from '../../src/net/logger';
import type { Relay } from '../../src/server/relay';
import { connectClient, RawClient, sendAndAck, startRelay, TestClient, useCleanup, waitUntil } from '../unit/helpers/loopback';
import { NatsCluster, startNats } from './natsServers';
import { RelayProcess, RELAY_SECRET } from './relayProcesses';

/** The relay's default: a heartbeat a second, dead after three missed. */
const DEAD_AFTER_MS = 3000;

describe('cluster presence (real nats-server)', function () {
  this.timeout(60_000);
  const cleanup = useCleanup();
  let nats: NatsCluster;

  before(async function () {
    this.timeout(60_000);
    nats = await startNats({ nodes: 1 });
  });
  after(async () => nats?.stop());

  function relay(): Promise<Relay> {
    return startRelay(cleanup, {
      cluster: { servers: nats.urls, replicas: 1 },
      // TM_VERBOSE=1 prints the relays' logs: what a failure here needs to be understood.
      ...(process.env.TM_VERBOSE ? { logger: createStreamLogger((l) => process.stderr.write(l + '\n'), 'debug') } : {}),
    });
  }

  function join(relayAt: Relay, name: string, options: { watch?: string[] } = {}): Promise<TestClient> {
    return connectClient(cleanup, relayAt.address().port, { name, ...options });
  }

  function isOnline(client: TestClient, clientId: string): boolean {
    return [...client.peers.values()].some((p) => p.clientId === clientId);
  }

  /** Waits until `client` sees `other` online (any of its connections). */
  function seesOnline(client: TestClient, other: TestClient, ms = 5000): Promise<unknown> {
    return waitUntil(() => isOnline(client, other.clientId) || undefined, client, ['peer-joined', 'welcome'], `${client.name} to see ${other.name} online`, ms);
  }

  function seesOffline(client: TestClient, other: TestClient, ms = 5000): Promise<unknown> {
    return waitUntil(() => !isOnline(client, other.clientId) || undefined, client, ['peer-left'], `${client.name} to see ${other.name} gone`, ms);
  }

  it('shows people on the other relays like local ones: roster, status, search, direct messages, leaving', async () => {
    const [a, b, c] = [await relay(), await relay(), await relay()];
    const alice = await join(a, 'alice');
    const bob = await join(b, 'bob');
    const carol = await join(c, 'carol');
    for (const [one, other] of [
      [alice, bob],
      [alice, carol],
      [bob, alice],
      [bob, carol],
      [carol, alice],
      [carol, bob],
    ] as const)
      await seesOnline(one, other);
    assert.equal(alice.onlineCount, 3, 'alice counts everyone in the cluster');

    bob.setStatus('busy');
    await alice.waitFor('peer-updated', (p) => p.clientId === bob.clientId && p.status === 'busy', 'alice to see bob busy');
    await carol.waitFor('peer-updated', (p) => p.clientId === bob.clientId && p.status === 'busy', 'carol to see bob busy');

    const found = await alice.who('bob');
    assert.deepEqual(
      found.peers.map((p) => [p.name, p.status]),
      [['bob', 'busy']],
      'peer search finds a person on another relay as online',
    );

    // Known to relay A as a person: a direct message to bob is accepted and reaches him.
    await sendAndAck(alice, [bob.clientId], 'hello across relays');
    await bob.waitForText('hello across relays');

    const leftAt = Date.now();
    await bob.close();
    await seesOffline(alice, bob);
    await seesOffline(carol, bob);
    assert.ok(Date.now() - leftAt < DEAD_AFTER_MS, 'a goodbye is told at once, not found out by a timeout');
    assert.ok(alice.known.has(bob.clientId), 'bob is listed as offline (known), not forgotten');
    const search = await alice.who('bob');
    assert.deepEqual(
      search.known.map((k) => k.name),
      ['bob'],
      'bob is found as offline',
    );
  });

  it('shows the people of a relay that stopped without a goodbye as left within the dead-relay timeout', async () => {
    const [a, b] = [await relay(), await relay()];
    const alice = await join(a, 'alice');
    const bob = await join(b, 'bob');
    await seesOnline(alice, bob);
    // The engine link of relay B vanishes without a word, as when its process is killed.
    const engine = b.cluster;
    assert.ok(engine, 'relay B is in the cluster');
    const cutAt = Date.now();
    await engine.nc.close();
    await seesOffline(alice, bob, DEAD_AFTER_MS + 3000);
    const took = Date.now() - cutAt;
    assert.ok(took >= DEAD_AFTER_MS - 1000, `not before the timeout (took ${took} ms)`);
    assert.ok(alice.known.has(bob.clientId), 'bob is offline for alice, not unknown');
  });

  it('shows the people of a relay process killed with SIGKILL as left, and back when it restarts', async () => {
    const a = await relay();
    const b = await RelayProcess.start({ natsUrls: nats.urls, replicas: 1 });
    cleanup.add('relay process', () => b.stop());
    const alice = await join(a, 'alice');
    const bob = await connectClient(cleanup, b.port, { name: 'bob', secret: RELAY_SECRET });
    await seesOnline(alice, bob);
    const killedAt = Date.now();
    await b.kill9();
    await seesOffline(alice, bob, DEAD_AFTER_MS + 3000);
    assert.ok(Date.now() - killedAt >= DEAD_AFTER_MS - 1000, 'found out by the missed heartbeats');
    await b.restart();
    // Bob's client reconnects by itself to the restarted relay.
    await seesOnline(alice, bob, 15_000);
  });

  it('lets a relay that starts late know everyone at once, from the KV snapshots', async () => {
    const [a, b] = [await relay(), await relay()];
    const alice = await join(a, 'alice');
    const bob = await join(b, 'bob');
    await seesOnline(alice, bob);
    const late = await relay();
    const carol = await join(late, 'carol');
    // Right after her welcome, before any event could have told her.
    assert.ok(isOnline(carol, alice.clientId) && isOnline(carol, bob.clientId), 'the welcome lists people of the relays that were there first');
    await seesOnline(alice, carol);
  });

  it('closes the old connection when the same client process reconnects through another relay', async () => {
    const [a, b] = [await relay(), await relay()];
    const watcher = await join(a, 'watcher');
    // Relay B must know the old connection to ask for it to be closed: a watcher there sees it.
    const watcherOnB = await join(b, 'watcher-b');
    const identity = generateIdentity();
    const old = await RawClient.connect(cleanup, a.address().port);
    old.answerPings = true;
    await old.handshake({ identity, instance: 'laptop-process', name: 'dora', watch: [] });
    const otherMachine = await RawClient.connect(cleanup, a.address().port);
    otherMachine.answerPings = true;
    await otherMachine.handshake({ identity, instance: 'desktop-process', name: 'dora', watch: [] });
    for (const w of [watcher, watcherOnB]) {
      await waitUntil(
        () => [...w.peers.values()].filter((p) => p.name === 'dora').length === 2 || undefined,
        w,
        ['peer-joined'],
        `${w.name} to see both of dora`,
      );
    }

    const moved = await RawClient.connect(cleanup, b.address().port);
    moved.answerPings = true;
    await moved.handshake({ identity, instance: 'laptop-process', name: 'dora', watch: [] });
    const replaced = await old.waitFor((m) => m.t === 'error', 'the old connection to be told it was replaced');
    assert.equal(replaced.t === 'error' && replaced.code, ErrorCode.Replaced);
    // The other machine of the same person is not a stale connection: it stays.
    await waitUntil(
      () => {
        const dora = [...watcher.peers.values()].filter((p) => p.name === 'dora');
        const at = (raw: RawClient) => `127.0.0.1:${raw.socket.localPort}`;
        return dora.length === 2 && dora.some((p) => p.address === at(otherMachine)) && dora.some((p) => p.address === at(moved)) ? true : undefined;
      },
      watcher,
      ['peer-left', 'peer-joined'],
      'dora on the other machine and dora moved to relay B',
    );
  });
});
