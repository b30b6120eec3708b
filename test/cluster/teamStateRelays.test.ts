// Team state across two relays joined through a real nats-server: a read marker set through one
// relay reaches the same person on the other, and a channel made through one relay is seen,
// joined and read through the other.
import { strict as assert } from 'node:assert';
import { peopleKey } from '../../src/net/protocol/conversationKeys';
import type { Relay } from '../../src/server/relay';
import { TeamPeer } from '../unit/helpers/teamPeer';
import { useCleanup } from '../unit/helpers/loopback';
import { useTwoClusterRelays } from './relayClusterFixture';

describe('team state across relays (real nats-server)', function () {
  this.timeout(60_000);
  const cleanup = useCleanup();
  const relays = useTwoClusterRelays(cleanup);

  const port = (relay: Relay) => relay.address().port;

  it('shows a read marker set through one relay to the same person on the other', async () => {
    const aliceOnA = await TeamPeer.connect(cleanup, port(relays.a), { name: 'alice' });
    const aliceOnB = await TeamPeer.connect(cleanup, port(relays.b), { name: 'alice', identity: aliceOnA.identity });
    const bobOnB = await TeamPeer.connect(cleanup, port(relays.b), { name: 'bob' });
    await TeamPeer.connect(cleanup, port(relays.a), { name: 'bob', identity: bobOnB.identity });
    const conv = peopleKey([aliceOnA.clientId, bobOnB.clientId]);
    const sent = await bobOnB.sent([aliceOnA.clientId], 'read me');
    await aliceOnA.next('message', (m) => m.text === 'read me');

    aliceOnA.read(conv, sent.seq);
    assert.deepEqual(await aliceOnB.next('read-state', (r) => r.conv === conv), { t: 'read-state', conv, seq: sent.seq });
    assert.deepEqual(await bobOnB.next('read-state', (r) => r.conv === conv), { t: 'read-state', conv, seq: sent.seq, by: aliceOnA.clientId });
    // A machine of alice's that connects to B later starts from the marker.
    const aliceLater = await TeamPeer.connect(cleanup, port(relays.b), { name: 'alice', identity: aliceOnA.identity });
    assert.deepEqual((await aliceLater.next('team-state')).reads, [{ conv, seq: sent.seq }]);
  });

  it('lets a channel made through one relay be seen, joined and read through the other', async () => {
    const alice = await TeamPeer.connect(cleanup, port(relays.a), { name: 'alice' });
    const bob = await TeamPeer.connect(cleanup, port(relays.b), { name: 'bob' });
    // Each identity is known on both relays (a channel's members must be known peers).
    await TeamPeer.connect(cleanup, port(relays.b), { name: 'alice', identity: alice.identity });
    await TeamPeer.connect(cleanup, port(relays.a), { name: 'bob', identity: bob.identity });

    const { channel: ops } = await alice.must('channel-result', { t: 'channel-create', name: 'ops', topic: 'on call' });
    assert.equal((await bob.next('channel', (m) => m.channel.id === ops.id)).channel.name, 'ops', 'bob on B hears of it');
    const joined = await bob.must('channel-result', { t: 'channel-join', channel: ops.id });
    assert.deepEqual(joined.channel.members?.sort(), [alice.clientId, bob.clientId].sort());
    await alice.next('channel', (m) => m.channel.id === ops.id && m.channel.memberCount === 2);

    await alice.sent(`#${ops.id}`, 'deploying now');
    assert.equal((await bob.next('message', (m) => m.text === 'deploying now')).to, `#${ops.id}`);
    const history = await bob.must('history-result', { t: 'history', conv: `#${ops.id}`, limit: 10 });
    assert.deepEqual(
      history.messages.map((m) => m.text),
      ['deploying now'],
    );

    // The same name made through B now is refused: the name is the cluster's, not one relay's.
    await bob.refused('CONFLICT', { t: 'channel-create', name: 'ops' });
  });

  it('lets exactly one of two people create a channel name at once through different relays', async () => {
    const alice = await TeamPeer.connect(cleanup, port(relays.a), { name: 'alice' });
    const bob = await TeamPeer.connect(cleanup, port(relays.b), { name: 'bob' });
    const answers = await Promise.all([alice.ask({ t: 'channel-create', name: 'launch' }), bob.ask({ t: 'channel-create', name: 'launch' })]);
    const kinds = answers.map((a) => (a.t === 'error' ? a.code : a.t)).sort();
    assert.deepEqual(kinds, ['CONFLICT', 'channel-result'], JSON.stringify(answers));
    const won = answers.find((a) => a.t === 'channel-result');
    const id = won?.t === 'channel-result' ? won.channel.id : '';
    // The winner's channel reaches the other relay through the bucket a moment later.
    for (const peer of [alice, bob]) {
      for (const until = Date.now() + 10_000; ; await new Promise((resolve) => setTimeout(resolve, 50))) {
        const listed = await peer.must('channel-list-result', { t: 'channel-list' });
        const launches = listed.channels.filter((c) => c.name === 'launch').map((c) => c.id);
        if (launches.length === 1 && launches[0] === id) break;
        assert.ok(Date.now() < until, `${peer.name} sees ${JSON.stringify(launches)}, not the one #launch ${id}`);
      }
    }
  });
});
