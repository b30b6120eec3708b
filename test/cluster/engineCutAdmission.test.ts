// A relay cut off from the engine for long lets its own people go on chatting locally but turns
// newcomers away, retryably, so a client that knows the team's other relays lands on one of them.
import { strict as assert } from 'node:assert';
import { ErrorCode } from '../../src/net/protocol/errors';
import { connectClient, createClient, HOST, rejectsWithCode, sendAndAck, sleep, TcpProxy, useCleanup } from '../unit/helpers/loopback';
import { eventually, startClusterRelay } from './relayClusterFixture';
import { NatsCluster, startNats } from './natsServers';

describe('a relay cut off from its cluster (real nats-server)', function () {
  this.timeout(60_000);
  const cleanup = useCleanup();
  let nats: NatsCluster | undefined;

  afterEach(async () => {
    await nats?.stop();
    nats = undefined;
  });

  it('refuses newcomers once cut off for long, sends them to another relay, and lets them in again when back', async () => {
    nats = await startNats({ nodes: 1 });
    // Relay a reaches the engine through a proxy that can cut it off; relay b directly.
    const enginePort = Number(new URL(nats.urls[0]!).port);
    const cut = await TcpProxy.start(cleanup, enginePort);
    const a = await startClusterRelay(cleanup, nats, { cluster: { servers: [`nats://${HOST}:${cut.port}`], replicas: 1, admitCutOffMs: 300 } });
    const b = await startClusterRelay(cleanup, nats);
    const alice = await connectClient(cleanup, a.address().port, { name: 'alice' });
    const bob = await connectClient(cleanup, b.address().port, { name: 'bob' });

    cut.refusing = true;
    cut.cutAll();
    await eventually(() => a.cluster?.reachable() === false, 'relay a to lose the engine');
    // A short cut refuses nobody: a newcomer right now still gets in.
    const early = await connectClient(cleanup, a.address().port, { name: 'early' });
    await early.close();
    await sleep(400);

    const carol = createClient(cleanup, a.address().port, { name: 'carol', retryFirstConnect: false });
    const refused = await rejectsWithCode(carol.connect(), ErrorCode.Unavailable, 'carol to be turned away by relay a');
    assert.match(refused.message, /cut off from its cluster for \d+ s; connect to another relay/);

    const dave = await connectClient(cleanup, a.address().port, {
      name: 'dave',
      alternates: [{ host: HOST, port: b.address().port }],
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    await sendAndAck(dave, [bob.clientId], 'from dave, let in by relay b');
    await bob.waitForText('from dave, let in by relay b');
    assert.equal(alice.state, 'connected', 'relay a keeps the people it has');

    cut.refusing = false;
    await eventually(() => a.cluster?.reachable() === true, 'relay a to reach the engine again', 15_000);
    const erin = await connectClient(cleanup, a.address().port, { name: 'erin', retryFirstConnect: false });
    assert.equal(erin.state, 'connected', 'newcomers are let in again');
  });
});
