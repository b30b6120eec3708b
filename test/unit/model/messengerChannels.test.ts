import { strict as assert } from 'node:assert';
import { generateIdentity } from '../../../src/net/identity';
import { connectClient, rejectsWithCode, startRelay, useCleanup, withTimeout } from '../helpers/loopback';
import { TestClientSource, testMessenger } from '../helpers/messengerSource';
import { MemoryState } from '../helpers/savedState';
import { until } from '../helpers/security';

describe('Messenger channels (over a loopback relay)', function () {
  const cleanup = useCleanup();
  const aliceIdentity = generateIdentity();

  async function setup(state = new MemoryState()) {
    const relay = await startRelay(cleanup);
    const port = relay.address().port;
    const bob = await connectClient(cleanup, port, { name: 'bob' });
    const source = new TestClientSource(cleanup);
    const model = testMessenger(cleanup, source, { state });
    const alice = await source.connect(port, 'alice', aliceIdentity);
    await until(() => model.channels().length > 0, 'the channels of team-state');
    return { port, bob, source, model, alice, state };
  }

  it('knows #general from the start, and names it by title', async () => {
    const { model } = await setup();
    assert.deepEqual(
      model.channels().map((c) => [c.name, c.conversationId, c.member]),
      [['general', 'all', true]],
    );
    assert.equal(model.conversationTitle('all'), '#general');
  });

  it('creates a channel; a member who joins writes in it; unread and mentions count', async () => {
    const { model, bob } = await setup();
    let changes = 0;
    model.onChannelsChanged(() => changes++);
    const deploys = await model.createChannel('deploys', { topic: 'ship it' });
    assert.deepEqual(
      [deploys.name, deploys.topic, deploys.member, deploys.private, deploys.conversationId],
      ['deploys', 'ship it', true, false, `channel:${deploys.id}`],
    );
    assert.ok(changes > 0, 'the views heard of it');
    assert.equal(model.conversationTitle(deploys.conversationId), '#deploys');
    assert.ok(model.channels().some((c) => c.id === deploys.id));

    await withTimeout(bob.conversations.join(deploys.id), 'bob joins');
    await withTimeout(bob.send(`#${deploys.id}`, 'deploying now'), 'bob writes');
    await withTimeout(bob.send(`#${deploys.id}`, '@alice please check'), 'bob mentions alice');
    // A mention the message carries counts without the name in its text (here: everyone online).
    await withTimeout(bob.send(`#${deploys.id}`, 'release in 5', { mentions: ['here'] }), 'bob mentions @here');
    await until(() => model.store.get(deploys.conversationId)?.messages.length === 3, 'all three in the channel');
    const view = model.channels().find((c) => c.id === deploys.id)!;
    assert.deepEqual([view.unread, view.mentions, view.memberCount], [3, 2, 2]);
    assert.ok(model.send(deploys.conversationId, 'thanks'));
    await bob.waitForText('thanks');
  });

  it('browses, leaves, renames and sets topics through the relay', async () => {
    const { model, bob } = await setup();
    const open = await withTimeout(bob.conversations.create('random'), 'bob creates #random');
    const listed = await model.listChannels();
    const random = listed.find((c) => c.id === open.id)!;
    assert.equal(random.member, false, 'public, not joined');
    assert.equal((await model.joinChannel(open.id)).member, true);
    assert.equal((await model.updateChannel(open.id, { name: 'off-topic', topic: 'anything' })).name, 'off-topic');
    await until(() => model.channels().find((c) => c.id === open.id)?.name === 'off-topic', 'the rename kept');
    assert.equal(model.conversationTitle(`channel:${open.id}`), '#off-topic');
    assert.equal((await model.leaveChannel(open.id)).member, false);
    await rejectsWithCode(model.updateChannel(open.id, { topic: 'not a member' }), 'FORBIDDEN', 'a public channel: seen, but changed only by members');
    await rejectsWithCode(model.leaveChannel('general'), 'CONFLICT', '#general cannot be left');
  });

  it('adds people to a private channel', async () => {
    const { model, bob } = await setup();
    const secret = await model.createChannel('secret', { private: true });
    assert.equal(secret.private, true);
    const withBob = await model.addToChannel(secret.id, [bob.clientId]);
    assert.ok(withBob.members?.includes(bob.clientId));
    await until(() => bob.conversations.channels.has(secret.id), 'bob sees it');
  });

  it('keeps the channels of the identity for the next start, offline titles included', async () => {
    const state = new MemoryState();
    const { model, source } = await setup(state);
    const kept = await model.createChannel('kept');
    await until(() => state.values.has(`teamMessenger.channels.${aliceIdentity.clientId}`), 'saved');
    model.dispose();
    await source.client?.close();

    const offline = new TestClientSource(cleanup);
    const later = testMessenger(cleanup, offline, { state });
    offline.watchFor?.(aliceIdentity.clientId); // what a new client's hello asks: loads the identity's store
    assert.deepEqual(
      later.channels().map((c) => c.name),
      ['general', 'kept'],
    );
    assert.equal(later.conversationTitle(kept.conversationId), '#kept');
    await rejectsWithCode(later.createChannel('nope', {}), 'CLOSED', 'no relay');
  });
});
