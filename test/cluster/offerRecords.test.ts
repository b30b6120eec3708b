// File offers recorded as messages in a relay cluster (src/server/offerRecords.ts with the
// cluster's stream): the record is numbered by the stream, so every relay holds it, search
// (has:file) and history find it wherever the two people are, and the offer names it; a re-offer
// under the same key (a resume) names the same record.
import { strict as assert } from 'node:assert';
import { peopleKey } from '../../src/net/protocol/conversationKeys';
import type { Relay } from '../../src/server/relay';
import { TeamPeer } from '../unit/helpers/teamPeer';
import { useCleanup } from '../unit/helpers/loopback';
import { useTwoClusterRelays } from './relayClusterFixture';

const FILES = [
  { name: 'notes.txt', size: 12 },
  { name: 'docs/plan.md', size: 3 },
];

describe('file offers recorded in a cluster (real nats-server)', function () {
  this.timeout(60_000);
  const cleanup = useCleanup();
  const relays = useTwoClusterRelays(cleanup);
  const port = (relay: Relay) => relay.address().port;

  /** alice and carol on A, bob on B. */
  async function team() {
    const alice = await TeamPeer.connect(cleanup, port(relays.a), { name: 'alice' });
    const bob = await TeamPeer.connect(cleanup, port(relays.b), { name: 'bob' });
    const carol = await TeamPeer.connect(cleanup, port(relays.a), { name: 'carol' });
    return { alice, bob, carol };
  }

  it('records an offer to someone on another relay in the stream: the offer names it, both hear it, search and history find it on both relays', async () => {
    const { alice, bob, carol } = await team();
    // Once A knows bob is online on B, the offer goes through (refused as NO_SUCH_PEER before).
    let sent: { message?: string } | undefined;
    for (let attempt = 0; !sent; attempt++) {
      const ref = `offer-ref-${attempt}`;
      alice.raw.send({ t: 'offer', ref, to: bob.clientId, key: 'k'.repeat(20), files: FILES });
      for (let wait = 0; wait < 100 && !sent; wait++) {
        sent = alice.all('offer-sent').find((m) => m.ref === ref);
        const refused = alice.all('error').find((m) => m.ref === ref);
        if (refused) {
          assert.equal(refused.code, 'NO_SUCH_PEER');
          assert.ok(attempt < 50, 'A never learnt that bob is online on B');
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const offered = await bob.next('offer');
    assert.ok(sent.message, 'the offer names its record');
    assert.equal(offered.message, sent.message);
    const id = sent.message;
    const record = await bob.next('message', (m) => m.id === id);
    assert.deepEqual([record.text, record.from, record.to, record.files], ['', alice.clientId, [bob.clientId], FILES]);
    assert.deepEqual((await alice.next('message', (m) => m.id === id)).files, FILES, 'the offering connection hears it too');

    const conv = peopleKey([alice.clientId, bob.clientId]);
    for (const reader of [alice, bob]) {
      const found = await reader.must('search-result', { t: 'search', query: 'has:file' });
      assert.deepEqual(
        found.hits.map((h) => [h.conv, h.message.id]),
        [[conv, id]],
        `${reader.name}'s relay finds it`,
      );
      const page = await reader.must('history-result', { t: 'history', conv, limit: 10 });
      assert.deepEqual(
        page.messages.map((m) => m.id),
        [id],
      );
    }
    assert.deepEqual((await carol.must('search-result', { t: 'search', query: 'has:file' })).hits, []);
    await carol.settle();
    assert.deepEqual(carol.all('message'), [], 'carol hears nothing of it');

    // A resume offers the same key again: the same record, no second message.
    alice.raw.send({ t: 'offer', ref: 'again', to: bob.clientId, key: 'k'.repeat(20), files: FILES });
    assert.equal((await alice.next('offer-sent', (m) => m.ref === 'again')).message, id);
    await bob.settle();
    assert.equal(bob.all('message').filter((m) => m.files !== undefined).length, 1);
  });
});
