import { strict as assert } from 'node:assert';
import { generateIdentity } from '../../../src/net/identity';
import type { ReadState } from '../../../src/net/protocol/conversationMessages';
import { connectClient, startRelay, useCleanup, waitForEvent } from '../helpers/loopback';
import { TestClientSource, testMessenger } from '../helpers/messengerSource';
import { until } from '../helpers/security';

describe('read markers kept in step with the relay (through the Messenger)', function () {
  const cleanup = useCleanup();
  const aliceIdentity = generateIdentity();

  async function relayWithBob(settings: { sendReadReceipts?: boolean } = {}) {
    const relay = await startRelay(cleanup);
    const port = relay.address().port;
    const bob = await connectClient(cleanup, port, { name: 'bob' });
    const source = new TestClientSource(cleanup);
    const model = testMessenger(cleanup, source, { settings });
    return { port, bob, model, connectAlice: () => source.connect(port, 'alice', aliceIdentity) };
  }

  it('keeps the read state of one person on all its machines, and says who has seen what', async () => {
    const { port, bob, model, connectAlice } = await relayWithBob();
    await connectAlice();
    const laptop = await connectClient(cleanup, port, { name: 'alice-laptop', identity: aliceIdentity });
    const dm = `peer:${bob.clientId}`;
    const key = `@${[aliceIdentity.clientId, bob.clientId].sort().join(',')}`;
    await bob.send([aliceIdentity.clientId], 'one');
    const two = await bob.send([aliceIdentity.clientId], 'two');
    await until(() => model.store.unreadOf(dm) === 2, 'two unread');

    // Read on the laptop: the editor's count follows.
    laptop.conversations.markRead(key, two.seq);
    await until(() => model.store.unreadOf(dm) === 0, 'read on the other machine');
    assert.equal(model.store.readSeqOf(dm), two.seq);

    // Read in the editor: the laptop and bob hear of it.
    const three = await bob.send([aliceIdentity.clientId], 'three');
    await until(() => model.store.unreadOf(dm) === 1, 'three unread');
    const laptopHears = waitForEvent(laptop, 'read-state', (r: ReadState) => r.seq === three.seq && r.by === undefined, 'the laptop hears');
    const bobHears = waitForEvent(bob, 'read-state', (r: ReadState) => r.seq === three.seq && r.by === aliceIdentity.clientId, 'bob hears');
    model.markRead(dm);
    await Promise.all([laptopHears, bobHears]);
    assert.equal(laptop.conversations.reads.get(key), three.seq);

    // Bob reads alice's message: "Seen by bob".
    const mine = model.send(dm, 'seen?');
    const received = await bob.waitForText('seen?');
    bob.conversations.markRead(key, received.seq);
    await until(() => model.seenBy(dm, received.seq).length === 1, 'seen by bob');
    assert.deepEqual(model.seenBy(dm, received.seq), ['bob']);
    assert.ok(mine);
  });

  it('keeps its read receipts to itself when the setting says so', async () => {
    const { bob, model, connectAlice } = await relayWithBob({ sendReadReceipts: false });
    await connectAlice();
    const dm = `peer:${bob.clientId}`;
    const receipts: ReadState[] = [];
    bob.on('read-state', (state) => receipts.push(state));
    await bob.send([aliceIdentity.clientId], 'private reader');
    await until(() => model.store.unreadOf(dm) === 1, 'unread');
    model.markRead(dm);
    assert.equal(model.store.unreadOf(dm), 0);
    // Sent after the read marker, so bob gets it after any receipt would have come.
    model.send(dm, 'after reading');
    await bob.waitForText('after reading');
    assert.deepEqual(
      receipts.filter((r) => r.by === aliceIdentity.clientId),
      [],
    );
  });

  it('sends no marker for a channel the user left (the relay would refuse it)', async () => {
    const { bob, model, connectAlice } = await relayWithBob();
    const alice = await connectAlice();
    const gone = await model.createChannel('gone', {});
    await bob.conversations.join(gone.id);
    await bob.send(`#${gone.id}`, 'see you');
    await until(() => model.store.unreadOf(gone.conversationId) === 1, 'unread in #gone');
    assert.equal((await model.leaveChannel(gone.id)).unread, 0);
    assert.equal(model.store.unreadOf(gone.conversationId), 0, 'leaving reads what was left');
    model.markRead(gone.conversationId);
    // Answered on the same connection after anything the relay said about a marker.
    await model.listChannels();
    assert.deepEqual(
      alice.events['relay-error'].map((e) => e.message),
      [],
    );
    assert.equal(alice.conversations.reads.get(`#${gone.id}`), undefined);
  });
});
