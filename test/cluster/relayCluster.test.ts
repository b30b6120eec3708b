// Two relays joined through a real one-node JetStream: clients on different relays talk, every
// seq is the stream's, a resend after a failover is delivered once, a bookmark resumes on the
// other relay, and an engine outage refuses sends retryably without losing them.
import * as assert from 'node:assert/strict';
import { generateIdentity } from '../../src/net/identity';
import type { ChatMessage } from '../../src/net/protocol/messages';
import { connectClient, createClient, sleep, TestClient, useCleanup, withTimeout } from '../unit/helpers/loopback';
import { connectKnownEverywhere, eventually, useTwoClusterRelays, SwitchingProxy } from './relayClusterFixture';

/** Seqs of the chat messages a client received, in arrival order. */
function seqsOf(client: TestClient): number[] {
  return client.events.message.map((m: ChatMessage) => m.seq);
}

function assertIncreasing(seqs: number[], who: string): void {
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `${who} got seq ${seqs[i]} after ${seqs[i - 1]}: ${seqs.join(',')}`);
}

describe('relay cluster through JetStream (real nats-server)', function () {
  this.timeout(60_000);
  const cleanup = useCleanup();
  const relays = useTwoClusterRelays(cleanup);

  it('carries direct, group and #general messages between relays, numbered by the stream', async () => {
    assert.equal(relays.a.epoch, relays.b.epoch, 'both relays name the stream the same');
    const alice = await connectKnownEverywhere(cleanup, relays.a, [relays.b], { name: 'alice' });
    const bob = await connectKnownEverywhere(cleanup, relays.b, [relays.a], { name: 'bob' });
    const carol = await connectKnownEverywhere(cleanup, relays.b, [relays.a], { name: 'carol' });
    const bobId = bob.self!.clientId;
    const aliceId = alice.self!.clientId;

    const toBob = await alice.send([bobId], 'alice to bob');
    // Bob is on the other relay: he counts as reached (his relay delivers it as it reads it).
    assert.deepEqual([toBob.reached, toBob.online, toBob.offline], [1, [bobId], []]);
    const heard = await bob.waitForText('alice to bob');
    assert.equal(heard.seq, toBob.seq, 'the recipient sees the seq the sender was acked with');
    assert.equal(heard.id, `${relays.b.epoch}-${toBob.seq}`);
    assert.equal(heard.from, aliceId);

    const toAlice = await bob.send([aliceId], 'bob to alice');
    assert.ok(toAlice.seq > toBob.seq);
    await alice.waitForText('bob to alice');

    const group = await carol.send([aliceId, bobId], 'carol to both');
    await alice.waitForText('carol to both');
    await bob.waitForText('carol to both');

    const general = await alice.send('all', 'hello everyone');
    assert.equal(general.reached, 2, 'bob and carol, both on the other relay');
    const dave = await connectKnownEverywhere(cleanup, relays.b, [relays.a], { name: 'dave' });
    const daveId = dave.self!.clientId;
    await dave.close();
    await eventually(() => ![...alice.peers.values()].some((p) => p.clientId === daveId), 'dave gone for alice');
    const toDave = await alice.send([daveId], 'for when you are back');
    assert.deepEqual([toDave.reached, toDave.offline], [0, [daveId]], 'dave is online nowhere');
    assert.ok(general.seq > group.seq);
    await bob.waitForText('hello everyone');
    await carol.waitForText('hello everyone');
    await bob.send('all', 'hello from b');
    await alice.waitForText('hello from b');
    await carol.waitForText('hello from b');

    // Nobody hears their own message back on the connection that sent it (it has the ack).
    await sleep(300);
    assert.equal(alice.received('hello everyone').length, 0);
    assert.equal(bob.received('hello from b').length, 0);
    assert.equal(carol.received('carol to both').length, 0);
    // Each got everything once, in the stream's order.
    for (const [client, name] of [
      [alice, 'alice'],
      [bob, 'bob'],
      [carol, 'carol'],
    ] as const) {
      const texts = client.events.message.map((m: ChatMessage) => m.text);
      assert.equal(new Set(texts).size, texts.length, `${name} got a duplicate: ${texts.join(' | ')}`);
      assertIncreasing(seqsOf(client), name);
    }
    assert.equal(carol.received('alice to bob').length, 0, 'a direct message reaches only its people');
  });

  it('carries channel messages between relays (the channel is shared through the engine)', async () => {
    const alice = await connectKnownEverywhere(cleanup, relays.a, [relays.b], { name: 'alice' });
    const bob = await connectKnownEverywhere(cleanup, relays.b, [relays.a], { name: 'bob' });
    const outsider = await connectKnownEverywhere(cleanup, relays.b, [relays.a], { name: 'outsider' });
    const channel = await alice.conversations.create('deploys', { members: [bob.self!.clientId] });
    // Relay B learns of the channel from the engine's team store: asked until it knows it.
    for (const end = Date.now() + 10_000; !(await bob.conversations.list()).some((c) => c.id === channel.id);) {
      assert.ok(Date.now() < end, 'relay B never learned of the channel');
      await sleep(100);
    }
    const sent = await alice.send(`#${channel.id}`, 'deploying now');
    assert.equal(sent.reached, 1, 'bob, a member on the other relay; not the outsider there');
    const heard = await bob.waitForText('deploying now');
    assert.equal(heard.seq, sent.seq);
    await bob.send(`#${channel.id}`, 'go ahead');
    await alice.waitForText('go ahead');
    await sleep(300);
    assert.equal(outsider.received('deploying now').length + outsider.received('go ahead').length, 0, 'only members hear a channel');
    assert.equal(alice.received('deploying now').length, 0);
  });

  it('delivers a resend after a failover to the other relay once, acked with the same seq', async () => {
    const bob = await connectKnownEverywhere(cleanup, relays.b, [relays.a], { name: 'bob' });
    const proxy = await SwitchingProxy.start(cleanup, relays.a.address().port);
    // alice is known on B from a first visit; her real connection goes through the proxy to A.
    const identity = generateIdentity();
    const visit = await connectKnownEverywhere(cleanup, relays.b, [], { name: 'alice', identity });
    await visit.close();
    const alice = await connectClient(cleanup, proxy.port, { name: 'alice', identity });

    proxy.swallowDownstream = true; // the ack will be lost on the way back
    const acked = alice.send([bob.self!.clientId], 'said once', { ref: 'failover-ref-1' });
    const heard = await bob.waitForText('said once');
    proxy.switchTo(relays.b.address().port); // A "goes away": the balancer sends alice to B
    const ack = await withTimeout(acked, 'the ack of the resend on the other relay', 10_000);
    assert.equal(ack.seq, heard.seq, 'the resend is acknowledged with the original seq');
    await sleep(500);
    assert.equal(bob.received('said once').length, 1, 'delivered once');
  });

  it('resumes by bookmark on the other relay, replaying only what was missed', async () => {
    const dave = await connectKnownEverywhere(cleanup, relays.b, [relays.a], { name: 'dave' });
    const identity = generateIdentity();
    const erin = await connectKnownEverywhere(cleanup, relays.a, [relays.b], { name: 'erin', identity });
    await dave.send('all', 'before the move');
    await erin.waitForText('before the move');
    const bookmark = erin.bookmark!;
    await erin.close();
    await dave.send('all', 'missed one');
    await dave.send([erin.self!.clientId], 'missed two');

    const back = createClient(cleanup, relays.b.address().port, { name: 'erin', identity, bookmark });
    await withTimeout(back.connect(), 'erin to connect to the other relay');
    await back.waitForText('missed two');
    assert.deepEqual(
      back.events.message.map((m: ChatMessage) => m.text),
      ['missed one', 'missed two'],
      'only what came after the bookmark, in order',
    );
    assertIncreasing(seqsOf(back), 'erin');
  });

  it('refuses sends retryably while the engine is down and delivers them once it is back', async () => {
    const alice = await connectKnownEverywhere(cleanup, relays.a, [relays.b], { name: 'alice' });
    const bob = await connectKnownEverywhere(cleanup, relays.b, [relays.a], { name: 'bob' });
    await relays.nats.kill9(0);
    await eventually(() => relays.a.cluster?.reachable() === false, 'relay A to notice the engine is gone');

    let settled = false;
    const acked = alice.send([bob.self!.clientId], 'sent in the outage').finally(() => (settled = true));
    // Refused with UNAVAILABLE: the outbox keeps it queued for a later try instead of failing it.
    await eventually(() => alice.pending.some((p) => p.text === 'sent in the outage' && p.state === 'queued'), 'the refused message to wait in the outbox');
    await sleep(300);
    assert.equal(settled, false, 'the send is neither acked nor failed during the outage');
    // Local things keep working without the engine.
    assert.ok((await alice.who('alice')).peers !== undefined);

    await relays.nats.restart(0);
    const ack = await withTimeout(acked, 'the ack after the engine is back', 30_000);
    const heard = await bob.waitForText('sent in the outage', 10_000);
    assert.equal(heard.seq, ack.seq);
    await sleep(500);
    assert.equal(bob.received('sent in the outage').length, 1, 'delivered once');
  });
});
