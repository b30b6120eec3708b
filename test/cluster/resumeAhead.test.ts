// A client whose bookmark is past a relay's history (it read newer messages on another relay of
// the cluster while this one restarted and is still reading the stream) is not sent those
// messages again when the relay reads them: every message once, in order.
import { strict as assert } from 'node:assert';
import { generateIdentity } from '../../src/net/identity';
import { TeamPeer } from '../unit/helpers/teamPeer';
import { useCleanup } from '../unit/helpers/loopback';
import { useTwoClusterRelays } from './relayClusterFixture';

describe('resuming past a relay’s history (real nats-server)', function () {
  this.timeout(60_000);
  const cleanup = useCleanup();
  const relays = useTwoClusterRelays(cleanup);

  it('skips the live messages a resuming client already has, and sends the ones after', async () => {
    const port = relays.a.address().port;
    const carolIdentity = generateIdentity();
    const carolFirst = await TeamPeer.connect(cleanup, port, { name: 'carol', identity: carolIdentity });
    const bob = await TeamPeer.connect(cleanup, port, { name: 'bob' });
    const epoch = carolFirst.welcome.epoch;
    const seen = await bob.sent([carolFirst.clientId], 'seen by carol');
    await carolFirst.close();

    // carol comes back claiming two messages more than the relay holds (as if read elsewhere).
    const claimed = seen.seq + 2;
    const carol = await TeamPeer.connect(cleanup, port, { name: 'carol', identity: carolIdentity, resume: { epoch, seq: claimed } });
    assert.equal(carol.welcome.seq, claimed, 'the welcome keeps her place');
    const acks = [];
    for (const text of ['one', 'two', 'three']) acks.push(await bob.sent([carol.clientId], text));
    assert.deepEqual(
      acks.map((a) => a.seq),
      [seen.seq + 1, seen.seq + 2, seen.seq + 3],
    );
    const three = await carol.next('message', (m) => m.text === 'three');
    assert.equal(three.seq, claimed + 1);
    await carol.settle();
    assert.deepEqual(
      carol.all('message').map((m) => m.text),
      ['three'],
      'the two she had are not sent again',
    );
  });
});
