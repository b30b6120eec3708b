import { strict as assert } from 'node:assert';
import type { MessageChange } from '../../../src/model/messengerModel';
import { generateIdentity } from '../../../src/net/identity';
import type { Update } from '../../../src/net/protocol/messages';
import { connectClient, rejectsWithCode, startRelay, useCleanup, waitForEvent } from '../helpers/loopback';
import { TestClientSource, testMessenger } from '../helpers/messengerSource';
import { until } from '../helpers/security';

describe('Messenger requests about messages: edit, delete, react, history, search', function () {
  const cleanup = useCleanup();
  const aliceIdentity = generateIdentity();

  async function setup(historySize = 100) {
    const relay = await startRelay(cleanup);
    const port = relay.address().port;
    const bob = await connectClient(cleanup, port, { name: 'bob' });
    const source = new TestClientSource(cleanup);
    const model = testMessenger(cleanup, source, { settings: { historySize } });
    await source.connect(port, 'alice', aliceIdentity);
    return { bob, model, dm: `peer:${bob.clientId}` };
  }

  it('edits, reacts to and deletes an own message; both sides see each change', async () => {
    const { bob, model, dm } = await setup();
    model.send(dm, 'typo hree');
    const received = await bob.waitForText('typo hree');
    const id = received.id;
    await until(() => model.store.message(dm, id), 'acknowledged');

    const bobSeesEdit = waitForEvent(bob, 'update', (u: Update) => u.message.id === id && u.message.text === 'typo here', 'bob sees the edit');
    await model.editMessage(dm, id, 'typo here');
    await bobSeesEdit;
    const edited = await until(() => model.store.message(dm, id)?.edited !== undefined && model.store.message(dm, id), 'the edit in the store');
    assert.deepEqual([edited.text, edited.own, edited.state], ['typo here', true, 'delivered']);

    await model.react(dm, id, '👍', true);
    await bob.conversations.react(id, '👍', true);
    await until(() => model.store.message(dm, id)?.reactions?.[0]?.by.length === 2, 'both reactions');
    assert.deepEqual(model.store.message(dm, id)?.reactions, [{ emoji: '👍', by: [aliceIdentity.clientId, bob.clientId] }]);
    await model.react(dm, id, '👍', false);
    await until(() => model.store.message(dm, id)?.reactions?.[0]?.by.length === 1, 'alice took hers back');

    await model.deleteMessage(dm, id);
    const gone = await until(() => model.store.message(dm, id)?.deleted && model.store.message(dm, id), 'the tombstone');
    assert.equal(gone.text, '');
  });

  it("refuses to change what is not the user's, or not on the relay yet", async () => {
    const { bob, model, dm } = await setup();
    const theirs = await bob.send([aliceIdentity.clientId], 'mine, says bob');
    await until(() => model.store.message(dm, theirs.id), "bob's message");
    await rejectsWithCode(model.editMessage(dm, theirs.id, 'no'), 'FORBIDDEN', "editing bob's message");
    await rejectsWithCode(model.deleteMessage(dm, theirs.id), 'FORBIDDEN', "deleting bob's message");
    await rejectsWithCode(model.editMessage(dm, 'local:not-yet', 'no'), 'BAD_MESSAGE', 'a pending message');
  });

  it('tells the views of changes to messages the store no longer holds', async () => {
    const { bob, model } = await setup(10);
    const first = await bob.send('all', 'old news');
    for (let i = 0; i < 12; i++) await bob.send('all', `filler ${i}`);
    await until(() => model.store.get('all')?.messages.some((m) => m.text === 'filler 11'), 'the fillers');
    assert.equal(model.store.message('all', first.id), undefined, 'dropped from the store');
    const changes: MessageChange[] = [];
    model.onMessageChanged((change) => changes.push(change));
    await bob.conversations.edit(first.id, 'old news, corrected');
    const change = await until(() => changes.find((c) => c.message.id === first.id), 'the change');
    assert.deepEqual([change.conversationId, change.message.text, change.message.own], ['all', 'old news, corrected', false]);
  });

  it('loads older pages and threads from the relay, and searches what the user may read', async () => {
    const { bob, model } = await setup();
    const sent = [];
    for (let i = 0; i < 25; i++) sent.push(await bob.send('all', `message ${i}${i === 7 ? ' with a needle' : ''}`));
    const parent = sent[3];
    await bob.send('all', 'a reply', { thread: parent.id });

    const newest = await model.loadHistory('all', { limit: 10 });
    assert.deepEqual(
      newest.messages.map((m) => m.text),
      sent.slice(15).map((_, i) => `message ${15 + i}`),
    );
    assert.equal(newest.older, true);
    const older = await model.loadHistory('all', { before: newest.messages[0].seq, limit: 10 });
    assert.equal(older.messages.at(-1)?.text, 'message 14');
    const thread = await model.loadHistory('all', { thread: parent.id, limit: 10 });
    assert.deepEqual(
      thread.messages.map((m) => [m.text, m.thread]),
      [['a reply', parent.id]],
    );

    const found = await model.searchMessages('needle');
    assert.deepEqual(
      found.hits.map((h) => [h.conversationId, h.title, h.message.id]),
      [['all', '#general', sent[7].id]],
    );
    assert.equal(found.more, false);
  });

  it('says so when there is no relay to ask', async () => {
    const model = testMessenger(cleanup, new TestClientSource(cleanup));
    await rejectsWithCode(model.loadHistory('all', { limit: 5 }), 'CLOSED', 'history');
    await rejectsWithCode(model.searchMessages('x'), 'CLOSED', 'search');
    await rejectsWithCode(model.editMessage('all', 'e-1', 'x'), 'CLOSED', 'edit');
    assert.deepEqual(model.threadReplies('all', 'e-1'), []);
  });
});
