// Presence when the engine itself goes away for longer than the dead-relay timeout and comes back:
// no relay may take its own cut for the others' death, and changes flow again afterwards.
import { strict as assert } from 'node:assert';
import type { Relay } from '../../src/server/relay';
import { connectClient, sleep, startRelay, TestClient, useCleanup, waitUntil } from '../unit/helpers/loopback';
import { NatsCluster, startNats } from './natsServers';

describe('cluster presence across an engine outage (real nats-server)', function () {
  this.timeout(90_000);
  const cleanup = useCleanup();
  let nats: NatsCluster | undefined;

  afterEach(async () => {
    await nats?.stop();
    nats = undefined;
  });

  function seesOnline(client: TestClient, clientId: string, label: string): Promise<unknown> {
    return waitUntil(() => [...client.peers.values()].some((p) => p.clientId === clientId) || undefined, client, ['peer-joined'], label, 10_000);
  }

  it('keeps everyone online through a cut longer than the timeout, then carries changes again', async () => {
    const engine = await startNats({ nodes: 1 });
    nats = engine;
    const relay = (): Promise<Relay> => startRelay(cleanup, { cluster: { servers: engine.urls, replicas: 1 } });
    const [a, b] = [await relay(), await relay()];
    const alice = await connectClient(cleanup, a.address().port, { name: 'alice' });
    const bob = await connectClient(cleanup, b.address().port, { name: 'bob' });
    await seesOnline(alice, bob.clientId, 'alice to see bob');

    await engine.kill9(0);
    // Longer than the dead-relay timeout: every relay hears nobody, itself included.
    await sleep(4500);
    await engine.restart(0);

    bob.setStatus('away');
    await alice.waitFor('peer-updated', (p) => p.clientId === bob.clientId && p.status === 'away', 'alice to see bob away after the cut', 15_000);
    assert.deepEqual(
      alice.events['peer-left'].filter((left) => left.clientId === bob.clientId),
      [],
      'bob was never shown as gone: the silence was the engine, not his relay',
    );
    const carol = await connectClient(cleanup, b.address().port, { name: 'carol' });
    await seesOnline(alice, carol.clientId, 'alice to see carol, who came after the cut');
  });

  it('stops a relay promptly while the engine is away (its goodbye cannot be delivered)', async () => {
    const engine = await startNats({ nodes: 1 });
    nats = engine;
    const a = await startRelay(cleanup, { cluster: { servers: engine.urls, replicas: 1 } });
    await connectClient(cleanup, a.address().port, { name: 'alice' });
    await engine.kill9(0);
    await sleep(200);
    const stoppingAt = Date.now();
    await a.stop('test: engine away');
    const took = Date.now() - stoppingAt;
    assert.ok(took < 3000, `the stop took ${took} ms`);
  });
});
