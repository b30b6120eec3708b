import { strict as assert } from 'node:assert';
import { generateIdentity } from '../../../src/net/identity';
import { ErrorCode } from '../../../src/net/protocol/errors';
import { useCleanup } from '../helpers/loopback';
import { startTeam, TeamPeer } from '../helpers/teamPeer';

describe('channels over loopback', function () {
  const cleanup = useCleanup();

  it('creates, lists, joins, leaves, renames and archives a public channel, telling everyone concerned', async function () {
    const { port, peers } = await startTeam(cleanup, ['alice', 'bob', 'carol']);
    const [alice, bob, carol] = peers;
    const alice2 = await TeamPeer.connect(cleanup, port, { name: 'alice', identity: alice.identity });

    const created = await alice.must('channel-result', { t: 'channel-create', name: 'ops', topic: 'on call' });
    const ops = created.channel;
    assert.deepEqual(ops.members, [alice.clientId]);
    assert.equal(ops.topic, 'on call');
    assert.equal(ops.createdBy, alice.clientId);
    const toBob = await bob.next('channel', (m) => m.channel.id === ops.id);
    assert.equal(toBob.channel.members, undefined, 'a non-member learns the channel, not its members');
    assert.equal(toBob.channel.memberCount, 1);
    assert.deepEqual((await alice2.next('channel', (m) => m.channel.id === ops.id)).channel.members, [alice.clientId], "alice's other machine");

    const listed = await bob.must('channel-list-result', { t: 'channel-list' });
    assert.deepEqual(listed.channels.map((c) => c.name).sort(), ['general', 'ops']);

    const joined = await bob.must('channel-result', { t: 'channel-join', channel: ops.id });
    assert.deepEqual(joined.channel.members?.sort(), [alice.clientId, bob.clientId].sort());
    await alice.next('channel', (m) => m.channel.id === ops.id && m.channel.memberCount === 2);

    const at = carol.mark();
    const ack = await alice.sent(`#${ops.id}`, 'deploying now');
    assert.equal(ack.reached, 1, 'bob');
    const got = await bob.next('message', (m) => m.text === 'deploying now');
    assert.equal(got.to, `#${ops.id}`);
    assert.equal((await alice2.next('message', (m) => m.text === 'deploying now')).id, ack.id, "the sender's other machine gets it too");
    const refused = await carol.sendEither(`#${ops.id}`, 'let me in');
    assert.equal(refused.t === 'error' && refused.code, ErrorCode.NotFound, 'a non-member may not post');
    await carol.settle();
    assert.equal(carol.all('message', at).length, 0, 'carol is not in #ops');

    const left = await bob.must('channel-result', { t: 'channel-leave', channel: ops.id });
    assert.equal(left.channel.members, undefined);
    assert.equal(left.channel.memberCount, 1);
    const afterLeaving = await bob.sendEither(`#${ops.id}`, 'still here?');
    assert.equal(afterLeaving.t === 'error' && afterLeaving.code, ErrorCode.NotFound);

    const renamed = await alice.must('channel-result', { t: 'channel-update', channel: ops.id, name: 'operations', topic: 'pager duty' });
    assert.equal(renamed.channel.name, 'operations');
    const seenRenamed = await carol.next('channel', (m) => m.channel.name === 'operations');
    assert.equal(seenRenamed.channel.topic, 'pager duty');

    await alice.must('channel-result', { t: 'channel-update', channel: ops.id, archived: true });
    await bob.next('channel', (m) => m.channel.id === ops.id && m.channel.archived);
    const toArchived = await alice.sendEither(`#${ops.id}`, 'anyone?');
    assert.equal(toArchived.t === 'error' && toArchived.code, ErrorCode.Conflict);
    assert.equal(await bob.refused(ErrorCode.Conflict, { t: 'channel-join', channel: ops.id }), '#operations is archived');
    await alice.refused(ErrorCode.Conflict, { t: 'react', id: ack.id, emoji: '👍', on: true });
    const history = await alice.must('history-result', { t: 'history', conv: `#${ops.id}`, limit: 5 });
    assert.deepEqual(
      history.messages.map((m) => m.text),
      ['deploying now'],
      'an archived channel is still readable',
    );
  });

  it('refuses what the rules refuse, each as an error naming the request', async function () {
    const { peers } = await startTeam(cleanup, ['alice', 'bob']);
    const [alice, bob] = peers;
    const { channel } = await alice.must('channel-result', { t: 'channel-create', name: 'dev' });
    await bob.refused(ErrorCode.Conflict, { t: 'channel-create', name: 'dev' });
    await bob.refused(ErrorCode.Conflict, { t: 'channel-create', name: 'general' });
    await bob.refused(ErrorCode.BadMessage, { t: 'channel-create', name: 'Not A Name' });
    await bob.refused(ErrorCode.Conflict, { t: 'channel-leave', channel: 'general' });
    await bob.refused(ErrorCode.Conflict, { t: 'channel-update', channel: 'general', archived: true });
    await bob.refused(ErrorCode.Forbidden, { t: 'channel-update', channel: channel.id, topic: 'not mine' });
    await bob.must('channel-result', { t: 'channel-join', channel: channel.id });
    await bob.refused(ErrorCode.Forbidden, { t: 'channel-update', channel: channel.id, archived: true });
    await bob.must('channel-result', { t: 'channel-update', channel: channel.id, topic: 'members may' });
    await bob.refused(ErrorCode.NoSuchPeer, { t: 'channel-add', channel: channel.id, members: [generateIdentity().clientId] });
    const general = await bob.must('channel-result', { t: 'channel-update', channel: 'general', topic: 'everyone here' });
    assert.equal(general.channel.memberCount, 2);
    assert.equal(general.channel.members, undefined);
  });

  it('keeps a private channel from non-members: no event, no listing, and every answer as for a channel that does not exist', async function () {
    const { port, peers } = await startTeam(cleanup, ['alice', 'bob', 'carol']);
    const [alice, bob, carol] = peers;
    const atCarol = carol.mark();
    const { channel: secret } = await alice.must('channel-result', { t: 'channel-create', name: 'secret', private: true, members: [bob.clientId] });
    await bob.next('channel', (m) => m.channel.id === secret.id);
    const ack = await bob.sent(`#${secret.id}`, 'the launch code is 1234');
    await alice.next('message', (m) => m.id === ack.id);

    // Everything carol might try, against the hidden channel and against one that does not exist.
    const tries = async (channel: string, id: string) => {
      const answers = [
        await carol.ask({ t: 'channel-join', channel }),
        await carol.ask({ t: 'channel-leave', channel }),
        await carol.ask({ t: 'channel-add', channel, members: [carol.clientId] }),
        await carol.ask({ t: 'channel-update', channel, topic: 'mine' }),
        await carol.ask({ t: 'history', conv: `#${channel}`, limit: 10 }),
        await carol.ask({ t: 'react', id, emoji: '👀', on: true }),
        await carol.ask({ t: 'edit', id, text: 'x' }),
        await carol.ask({ t: 'delete', id }),
        await carol.ask({ t: 'history', conv: '#general', around: id, limit: 5 }),
        await carol.sendEither(`#${channel}`, 'hello?'),
        await carol.sendEither('all', 'a reply', id),
      ];
      return answers.map((a) => (a.t === 'error' ? [a.code, a.message] : a.t));
    };
    const epoch = ack.id.slice(0, ack.id.lastIndexOf('-'));
    const hidden = await tries(secret.id, ack.id);
    const missing = await tries('nosuchchannel', `${epoch}-999999`);
    assert.deepEqual(hidden, missing, 'no answer tells a hidden channel from a missing one');
    assert.ok(
      hidden.every(([code]) => code === ErrorCode.NotFound),
      JSON.stringify(hidden),
    );
    const inSecret = await carol.refused(ErrorCode.BadMessage, { t: 'search', query: 'in:#secret launch' });
    const inNothing = await carol.refused(ErrorCode.BadMessage, { t: 'search', query: 'in:#nothing launch' });
    assert.equal(inSecret, inNothing.replace('nothing', 'secret'), 'in:#secret reads like an unknown channel');

    const search = await carol.must('search-result', { t: 'search', query: 'launch' });
    assert.deepEqual(search.hits, []);
    assert.equal(search.more, false);
    const list = await carol.must('channel-list-result', { t: 'channel-list' });
    assert.deepEqual(
      list.channels.map((c) => c.name),
      ['general'],
    );
    await carol.settle();
    assert.deepEqual(carol.all('channel', atCarol), [], 'carol heard nothing of it');
    assert.equal(carol.received('the launch code is 1234').length, 0);

    // Carol comes back: nothing of it in her team state or replay.
    await carol.close();
    const again = await TeamPeer.connect(cleanup, port, { name: 'carol', identity: carol.identity });
    await again.settle();
    assert.deepEqual(
      (await again.next('team-state')).channels.map((c) => c.name),
      ['general'],
    );
    assert.equal(again.received('the launch code is 1234').length, 0);

    // Until a member adds her.
    await bob.must('channel-result', { t: 'channel-add', channel: secret.id, members: [again.clientId] });
    const told = await again.next('channel', (m) => m.channel.id === secret.id);
    assert.deepEqual(told.channel.members?.sort(), [alice.clientId, bob.clientId, again.clientId].sort());
    const page = await again.must('history-result', { t: 'history', conv: `#${secret.id}`, limit: 10 });
    assert.deepEqual(
      page.messages.map((m) => m.text),
      ['the launch code is 1234'],
    );
  });

  it("treats a '#general' target as 'all', and sends typing to a channel's members only", async function () {
    const { peers } = await startTeam(cleanup, ['alice', 'bob', 'carol']);
    const [alice, bob, carol] = peers;
    const ack = await alice.sent('#general', 'hello everyone');
    const got = await carol.next('message', (m) => m.id === ack.id);
    assert.equal(got.to, 'all');
    const { channel } = await alice.must('channel-result', { t: 'channel-create', name: 'pair', members: [bob.clientId] });
    const atCarol = carol.mark();
    alice.raw.send({ t: 'typing', to: `#${channel.id}` });
    const typing = await bob.next('typing', (m) => m.to === `#${channel.id}`);
    assert.equal(typing.from, alice.clientId);
    carol.raw.send({ t: 'typing', to: `#${channel.id}` });
    alice.raw.send({ t: 'typing', to: '#general' });
    await carol.next('typing', (m) => m.to === 'all' && m.from === alice.clientId);
    await bob.settle();
    assert.equal(bob.all('typing').filter((m) => m.from === carol.clientId).length, 0, 'a non-member types to nobody');
    assert.equal(carol.all('typing', atCarol).filter((m) => m.to !== 'all').length, 0);
  });
});
