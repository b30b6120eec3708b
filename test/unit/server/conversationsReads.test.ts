import { strict as assert } from 'node:assert';
import { generateIdentity } from '../../../src/net/identity';
import { peopleKey } from '../../../src/net/protocol/conversationKeys';
import { useCleanup } from '../helpers/loopback';
import { startTeam, TeamPeer } from '../helpers/teamPeer';

describe('read state over loopback', function () {
  const cleanup = useCleanup();

  it("keeps one marker per conversation that an identity's connections agree on, and shows it to the others of a direct conversation", async function () {
    const { port, peers } = await startTeam(cleanup, ['alice', 'bob']);
    const [alice, bob] = peers;
    const alice2 = await TeamPeer.connect(cleanup, port, { name: 'alice', identity: alice.identity });
    const conv = peopleKey([alice.clientId, bob.clientId]);
    const first = await bob.sent([alice.clientId], 'one');
    const second = await bob.sent([alice.clientId], 'two');

    alice.read(conv, first.seq);
    assert.deepEqual(await alice2.next('read-state', (r) => r.conv === conv), { t: 'read-state', conv, seq: first.seq });
    assert.deepEqual(await bob.next('read-state', (r) => r.conv === conv), { t: 'read-state', conv, seq: first.seq, by: alice.clientId });
    await alice.settle();
    assert.deepEqual(alice.all('read-state'), [], 'the reading connection knows already');

    const atAlice2 = alice2.mark();
    alice2.read(conv, first.seq - 1);
    alice2.read(conv, second.seq);
    const moved = await alice.next('read-state', (r) => r.conv === conv);
    assert.equal(moved.seq, second.seq, 'never back: the lower marker was no move');
    await bob.next('read-state', (r) => r.seq === second.seq);
    await alice2.settle();
    assert.deepEqual(alice2.all('read-state', atAlice2), []);

    // A machine that connects later, and bob's next connection, start from the relay's markers.
    const alice3 = await TeamPeer.connect(cleanup, port, { name: 'alice', identity: alice.identity });
    assert.deepEqual((await alice3.next('team-state')).reads, [{ conv, seq: second.seq }]);
    const bob2 = await TeamPeer.connect(cleanup, port, { name: 'bob', identity: bob.identity });
    assert.deepEqual((await bob2.next('team-state')).reads, [{ conv, seq: second.seq, by: alice.clientId }]);
  });

  it('keeps "Seen by" from the others once the reader turns receipts off, and never sends it for channels or big groups', async function () {
    const { port, peers } = await startTeam(cleanup, ['alice', 'bob']);
    const [alice, bob] = peers;
    const alice2 = await TeamPeer.connect(cleanup, port, { name: 'alice', identity: alice.identity });
    const conv = peopleKey([alice.clientId, bob.clientId]);
    const message = await bob.sent([alice.clientId], 'private reading');
    const atBob = bob.mark();

    alice.read(conv, message.seq, false);
    assert.equal((await alice2.next('read-state', (r) => r.conv === conv)).seq, message.seq, 'her own machines still agree');
    const inGeneral = await bob.sent('all', 'to everyone');
    alice.read('#general', inGeneral.seq);
    await alice2.next('read-state', (r) => r.conv === '#general');
    const crowd = peopleKey([alice.clientId, bob.clientId, ...Array.from({ length: 8 }, () => generateIdentity().clientId)]);
    alice.read(crowd, inGeneral.seq);
    await alice2.next('read-state', (r) => r.conv === crowd);
    await bob.settle();
    assert.deepEqual(bob.all('read-state', atBob), [], 'no receipt: turned off, a channel, ten people');

    const bob2 = await TeamPeer.connect(cleanup, port, { name: 'bob', identity: bob.identity });
    assert.deepEqual((await bob2.next('team-state')).reads, [], 'nor in his team state');
  });

  it('drops a marker for a conversation the reader is not in, and holds markers at the newest stored message', async function () {
    const { port, peers } = await startTeam(cleanup, ['alice', 'bob', 'carol']);
    const [alice, bob, carol] = peers;
    const alice2 = await TeamPeer.connect(cleanup, port, { name: 'alice', identity: alice.identity });
    const theirs = peopleKey([bob.clientId, carol.clientId]);
    const message = await bob.sent([carol.clientId], 'between us');
    alice.read(theirs, message.seq);
    alice.read('#nosuchchannel', message.seq);
    alice.read('#general', 1_000_000_000);
    const clamped = await alice2.next('read-state');
    assert.deepEqual(clamped, { t: 'read-state', conv: '#general', seq: message.seq }, 'only #general moved, and only to the newest seq');
    const alice3 = await TeamPeer.connect(cleanup, port, { name: 'alice', identity: alice.identity });
    assert.deepEqual((await alice3.next('team-state')).reads, [{ conv: '#general', seq: message.seq }]);
    await carol.settle();
    assert.deepEqual(carol.all('read-state'), []);
  });
});
