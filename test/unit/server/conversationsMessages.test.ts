import { strict as assert } from 'node:assert';
import { peopleKey, ConversationLimits } from '../../../src/net/protocol/conversationKeys';
import { ErrorCode } from '../../../src/net/protocol/errors';
import { useCleanup } from '../helpers/loopback';
import { startTeam, TeamPeer } from '../helpers/teamPeer';

describe('edits, deletes, reactions and threads over loopback', function () {
  const cleanup = useCleanup();

  it("lets the author edit and delete, readers react, and shows every change to every reader's connections", async function () {
    const { port, peers } = await startTeam(cleanup, ['alice', 'bob', 'carol']);
    const [alice, bob, carol] = peers;
    const alice2 = await TeamPeer.connect(cleanup, port, { name: 'alice', identity: alice.identity });
    const conv = peopleKey([alice.clientId, bob.clientId]);
    const ack = await alice.sent([bob.clientId], 'helo');
    await bob.next('message', (m) => m.id === ack.id);

    const atAlice = alice.mark();
    const edited = await alice.must('done', { t: 'edit', id: ack.id, text: 'hello' });
    assert.ok(edited.seq > ack.seq, 'the change has a seq of its own');
    for (const reader of [bob, alice2, alice]) {
      const update = await reader.next('update', (u) => u.seq === edited.seq);
      assert.equal(update.conv, conv);
      assert.equal(update.message.id, ack.id);
      assert.equal(update.message.text, 'hello');
      assert.ok(update.message.edited !== undefined && update.message.edited >= ack.ts);
    }
    const ownOrder = alice.messages.slice(atAlice).map((m) => m.t);
    assert.ok(ownOrder.indexOf('update') < ownOrder.indexOf('done'), 'the asker has the change when it hears it is done');

    assert.match(await bob.refused(ErrorCode.Forbidden, { t: 'edit', id: ack.id, text: 'mine now' }), /only its author/);
    await bob.refused(ErrorCode.Forbidden, { t: 'delete', id: ack.id });
    await carol.refused(ErrorCode.NotFound, { t: 'react', id: ack.id, emoji: '👀', on: true });
    await carol.refused(ErrorCode.NotFound, { t: 'edit', id: 'not-an-id', text: 'x' });

    const reacted = await bob.must('done', { t: 'react', id: ack.id, emoji: '👍', on: true });
    assert.deepEqual((await alice2.next('update', (u) => u.seq === reacted.seq)).message.reactions, [{ emoji: '👍', by: [bob.clientId] }]);
    await bob.must('done', { t: 'react', id: ack.id, emoji: '👍', on: true });
    const both = await alice.must('done', { t: 'react', id: ack.id, emoji: '👍', on: true });
    assert.deepEqual((await bob.next('update', (u) => u.seq === both.seq)).message.reactions, [{ emoji: '👍', by: [bob.clientId, alice.clientId] }]);
    const off = await bob.must('done', { t: 'react', id: ack.id, emoji: '👍', on: false });
    assert.deepEqual((await alice.next('update', (u) => u.seq === off.seq)).message.reactions, [{ emoji: '👍', by: [alice.clientId] }]);

    for (let i = 1; i < ConversationLimits.reactionsPerMessage; i++) await bob.must('done', { t: 'react', id: ack.id, emoji: `:e${i}:`, on: true });
    await bob.refused(ErrorCode.Conflict, { t: 'react', id: ack.id, emoji: ':one-too-many:', on: true });

    const deleted = await alice.must('done', { t: 'delete', id: ack.id });
    const tombstone = (await bob.next('update', (u) => u.seq === deleted.seq)).message;
    assert.equal(tombstone.deleted, true);
    assert.equal(tombstone.text, '');
    assert.equal(tombstone.reactions, undefined);
    await bob.refused(ErrorCode.Conflict, { t: 'react', id: ack.id, emoji: '👍', on: true });
    await alice.refused(ErrorCode.Conflict, { t: 'edit', id: ack.id, text: 'back' });
    await carol.settle();
    assert.deepEqual(carol.all('update'), [], 'carol reads none of it');
  });

  it('keeps replies in the thread of their root message and shows the parent its reply count', async function () {
    const { peers } = await startTeam(cleanup, ['alice', 'bob', 'carol']);
    const [alice, bob, carol] = peers;
    const parent = await alice.sent('all', 'release on friday?');
    const reply = await bob.sent('all', 'fine by me', parent.id);
    const seen = await carol.next('message', (m) => m.id === reply.id);
    assert.equal(seen.thread, parent.id);
    const first = await carol.next('update', (u) => u.message.id === parent.id);
    assert.deepEqual(first.message.replies, { count: 1, lastTs: reply.ts, by: [bob.clientId] });
    assert.equal(first.conv, '#general');

    // A reply to a reply joins the root's thread.
    const nested = await carol.sent('all', 'me too', reply.id);
    assert.equal((await alice.next('message', (m) => m.id === nested.id)).thread, parent.id);
    const second = await alice.next('update', (u) => u.message.id === parent.id && u.message.replies?.count === 2);
    assert.deepEqual(second.message.replies?.by, [carol.clientId, bob.clientId]);

    const elsewhere = await bob.sendEither([alice.clientId], 'a reply in another conversation', parent.id);
    assert.equal(elsewhere.t === 'error' && elsewhere.code, ErrorCode.NotFound);

    const thread = await alice.must('history-result', { t: 'history', conv: '#general', thread: parent.id, limit: 10 });
    assert.deepEqual(
      thread.messages.map((m) => m.text),
      ['fine by me', 'me too'],
    );
    const viaReply = await alice.must('history-result', { t: 'history', conv: '#general', thread: reply.id, limit: 10 });
    assert.deepEqual(
      viaReply.messages.map((m) => m.id),
      [reply.id, nested.id],
      "a reply's thread is its root's",
    );
    const top = await alice.must('history-result', { t: 'history', conv: '#general', limit: 10 });
    assert.deepEqual(
      top.messages.map((m) => m.text),
      ['release on friday?'],
      'replies stay out of the top level',
    );
    assert.equal(top.messages[0].replies?.count, 2);
  });

  it("gives an identity's other connections its own messages, live and on replay; the sending one only the ack", async function () {
    const { port, peers } = await startTeam(cleanup, ['alice', 'bob']);
    const [alice, bob] = peers;
    const alice2 = await TeamPeer.connect(cleanup, port, { name: 'alice', identity: alice.identity });
    const bookmark = { epoch: alice2.welcome.epoch, seq: alice2.welcome.seq };
    const direct = await alice.sent([bob.clientId], 'to bob');
    const { channel } = await alice.must('channel-result', { t: 'channel-create', name: 'notes' });
    const inChannel = await alice.sent(`#${channel.id}`, 'to my channel');
    const live = await alice2.next('message', (m) => m.id === direct.id);
    assert.equal(live.replay, undefined);
    assert.equal(live.from, alice.clientId);
    await alice2.next('message', (m) => m.id === inChannel.id);
    await alice.settle();
    assert.equal(alice.all('message').length, 0, 'the sending connection gets acks, not its messages back');

    // A third machine that was away since alice2's welcome gets them replayed.
    const alice3 = await TeamPeer.connect(cleanup, port, { name: 'alice', identity: alice.identity, resume: bookmark });
    const replayed = await alice3.next('message', (m) => m.id === inChannel.id);
    assert.equal(replayed.replay, true);
    assert.deepEqual(
      alice3.all('message').map((m) => m.id),
      [direct.id, inChannel.id],
    );
  });

  it('gives a recipient who was away the latest version of what changed: updates on resume, edited messages as they are now', async function () {
    const { port, peers } = await startTeam(cleanup, ['alice', 'bob']);
    const [alice, bob] = peers;
    const first = await alice.sent([bob.clientId], 'first draft');
    const second = await alice.sent('all', 'to be deleted');
    await bob.next('message', (m) => m.id === second.id);
    const bookmark = { epoch: bob.welcome.epoch, seq: second.seq };
    await bob.close();

    const edit = await alice.must('done', { t: 'edit', id: first.id, text: 'final draft' });
    const deletion = await alice.must('done', { t: 'delete', id: second.id });
    const later = await alice.sent([bob.clientId], 'sent while away');
    await alice.must('done', { t: 'edit', id: later.id, text: 'sent and edited while away' });

    const back = await TeamPeer.connect(cleanup, port, { name: 'bob', identity: bob.identity, resume: bookmark });
    const edited = await back.next('update', (u) => u.message.id === first.id);
    const order = back.messages.map((m) => m.t);
    assert.deepEqual(order.slice(0, 3), ['challenge', 'welcome', 'team-state'], 'the team state comes before any replay');
    assert.equal(edited.replay, true);
    assert.equal(edited.seq, edit.seq);
    assert.equal(edited.message.text, 'final draft');
    const gone = await back.next('update', (u) => u.message.id === second.id);
    assert.equal(gone.seq, deletion.seq);
    assert.equal(gone.message.deleted, true);
    assert.equal(gone.message.text, '');
    const missed = await back.next('message', (m) => m.id === later.id);
    assert.equal(missed.text, 'sent and edited while away', 'a message sent after the bookmark comes as it is now');
    await back.settle();
    assert.equal(back.all('update').filter((u) => u.message.id === later.id).length, 0, 'and not again as an update');
  });
});
