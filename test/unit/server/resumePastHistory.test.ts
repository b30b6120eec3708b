import { strict as assert } from 'node:assert';
import { useCleanup } from '../helpers/loopback';
import { startTeam, TeamPeer } from '../helpers/teamPeer';

/**
 * A relay alone, and a client whose bookmark is past what the relay holds (the relay gave out
 * numbers it did not keep, and gives them again): the welcome takes the client back to what is
 * held, so the messages numbered next reach it. (In a cluster the same bookmark means the client
 * read those messages on another relay: test/cluster/resumeAhead.test.ts.)
 */
describe('resuming past a standalone relay’s history', function () {
  const cleanup = useCleanup();

  it('takes the client back to what the relay holds, and delivers what comes next', async function () {
    const { port, peers } = await startTeam(cleanup, ['carol', 'bob']);
    const [carolFirst, bob] = peers as [TeamPeer, TeamPeer];
    const seen = await bob.sent([carolFirst.clientId], 'seen by carol');
    await carolFirst.close();

    const carol = await TeamPeer.connect(cleanup, port, {
      name: 'carol',
      identity: carolFirst.identity,
      resume: { epoch: carolFirst.welcome.epoch, seq: seen.seq + 2 },
    });
    assert.equal(carol.welcome.seq, seen.seq, 'back to what is held');
    const next = await bob.sent([carol.clientId], 'numbered next');
    assert.equal(next.seq, seen.seq + 1);
    assert.equal((await carol.next('message', (m) => m.text === 'numbered next')).seq, seen.seq + 1);
  });
});
