import { strict as assert } from 'node:assert';
import { ChannelInfo } from '../../../../src/net/protocol/conversationMessages';
import { ErrorCode } from '../../../../src/net/protocol/errors';
import { Targets } from '../../../../src/net/protocol/messages';
import { connectClient, rejectsWithCode, TestClient, useCleanup, waitUntil, withTimeout } from '../../helpers/loopback';
import { channelInfo, chatMessage, ScriptedRelay } from './scriptedRelay';

/**
 * The client's side of channels, read state, message changes, history and search, against a
 * relay scripted by hand: what the client does with each answer, event and refusal, whatever a
 * real relay would decide (conversations.test.ts covers the real one).
 */
describe('client conversations against a scripted relay', function () {
  const cleanup = useCleanup();
  const BOB = 'b'.repeat(43);

  async function setUp(seq = 0): Promise<{ relay: ScriptedRelay; alice: TestClient }> {
    const relay = await ScriptedRelay.start(cleanup);
    relay.seq = seq;
    const alice = await connectClient(cleanup, relay.port, { name: 'alice', secret: undefined });
    return { relay, alice };
  }

  /** Collects the client's 'channel' events (the test client does not record them). */
  function channelEvents(client: TestClient): ChannelInfo[] {
    const seen: ChannelInfo[] = [];
    client.on('channel', (channel) => seen.push(channel));
    return seen;
  }

  /** One round trip through the client: it has handled what the relay wrote before. */
  async function roundTrip(relay: ScriptedRelay, alice: TestClient): Promise<void> {
    const pinged = alice.pingPeer(BOB, 3000);
    const [ping] = (await relay.waitForSent('peer-ping', relay.sent('peer-ping').length + 1)).slice(-1);
    relay.send({ t: 'peer-pong', from: BOB, n: ping.n });
    await pinged;
  }

  /** The client handled everything the relay wrote before, and the relay received whatever the
   *  client wrote in answer (the second ping goes after it). */
  async function settled(relay: ScriptedRelay, alice: TestClient): Promise<void> {
    await roundTrip(relay, alice);
    await roundTrip(relay, alice);
  }

  it('answers each request by its number, and an error naming req-<n> refuses that one only', async () => {
    const { relay, alice } = await setUp();
    const listing = alice.conversations.list();
    const joining = alice.conversations.join('deploys');
    const editing = alice.conversations.edit('epoch-1-4', 'fixed');
    const [list] = await relay.waitForSent('channel-list');
    const [join] = await relay.waitForSent('channel-join');
    const [edit] = await relay.waitForSent('edit');
    assert.deepEqual({ ...join, n: 0 }, { t: 'channel-join', n: 0, channel: 'deploys' });
    assert.deepEqual({ ...edit, n: 0 }, { t: 'edit', n: 0, id: 'epoch-1-4', text: 'fixed' });

    relay.send({ t: 'error', code: ErrorCode.NotFound, message: 'no such channel', ref: `req-${join.n}`, fatal: false });
    const refused = await rejectsWithCode(joining, ErrorCode.NotFound, 'the refused join');
    assert.equal(refused.message, 'no such channel');
    relay.send({ t: 'done', n: edit.n, seq: 17 });
    assert.equal(await withTimeout(editing, 'the edit'), 17);
    relay.send({ t: 'channel-list-result', n: list.n, channels: [channelInfo('general'), channelInfo('deploys', { members: [BOB] })] });
    assert.deepEqual(
      (await withTimeout(listing, 'the list')).map((c) => c.id),
      ['general', 'deploys'],
    );
    assert.deepEqual([...alice.conversations.channels.keys()], ['general', 'deploys'], 'what the list said is kept');

    // An error for a request nobody waits for (late, or never asked) is reported, not swallowed.
    relay.send({ t: 'error', code: ErrorCode.NotFound, message: 'late', ref: 'req-999', fatal: false });
    const reported = await alice.waitFor('relay-error');
    assert.equal(reported.message, 'late');
    assert.equal(alice.events['relay-error'].length, 1, 'the refusal above was not reported as a relay error');
  });

  it('asks for history pages and searches and hands back what the relay answered', async () => {
    const { relay, alice } = await setUp();
    const paging = alice.conversations.history('#deploys', { before: 40, thread: 'epoch-1-7', limit: 20 });
    const [history] = await relay.waitForSent('history');
    assert.deepEqual({ ...history, n: 0 }, { t: 'history', n: 0, conv: '#deploys', before: 40, thread: 'epoch-1-7', limit: 20 });
    const reply = chatMessage(12, { to: '#deploys', thread: 'epoch-1-7' });
    relay.send({ t: 'history-result', n: history.n, conv: '#deploys', messages: [reply], older: true, newer: false });
    assert.deepEqual(await withTimeout(paging, 'the page'), { messages: [reply], older: true, newer: false });

    const searching = alice.conversations.search('deploy from:bob', { limit: 5, before: 100 });
    const [search] = await relay.waitForSent('search');
    assert.deepEqual({ ...search, n: 0 }, { t: 'search', n: 0, query: 'deploy from:bob', limit: 5, before: 100 });
    relay.send({ t: 'search-result', n: search.n, hits: [{ conv: '#deploys', message: reply }], more: true });
    assert.deepEqual(await withTimeout(searching, 'the search'), { hits: [{ conv: '#deploys', message: reply }], more: true });

    const reacting = alice.conversations.react('epoch-1-12', '👍', true);
    const removing = alice.conversations.remove('epoch-1-12');
    const [react] = await relay.waitForSent('react');
    const [remove] = await relay.waitForSent('delete');
    assert.deepEqual([react.emoji, react.on, remove.id], ['👍', true, 'epoch-1-12']);
    relay.send({ t: 'done', n: remove.n, seq: 31 });
    relay.send({ t: 'error', code: ErrorCode.Forbidden, message: 'not yours', ref: `req-${react.n}`, fatal: false });
    assert.equal(await withTimeout(removing, 'the delete'), 31);
    await rejectsWithCode(reacting, ErrorCode.Forbidden, 'the refused reaction');
  });

  it('checks requests before they go: a bad channel name, a page too big, a query too long', async () => {
    const { relay, alice } = await setUp();
    assert.match((await rejectsWithCode(alice.conversations.create('Bad Name'), ErrorCode.BadMessage, 'a bad name')).message, /lowercase/);
    await rejectsWithCode(alice.conversations.update('deploys', { name: '#deploys' }), ErrorCode.BadMessage, 'a rename with "#"');
    await rejectsWithCode(alice.conversations.history('#deploys', { limit: 501 }), ErrorCode.BadMessage, 'a page of 501');
    await rejectsWithCode(alice.conversations.search('x'.repeat(501)), ErrorCode.BadMessage, 'a long query');
    assert.throws(() => alice.conversations.markRead('x', 1), /cannot mark x read/);
    await settled(relay, alice);
    assert.deepEqual(
      relay.received.map((m) => m.t),
      ['peer-ping', 'peer-ping'],
      'none of them reached the relay',
    );
    await alice.close();
    await rejectsWithCode(alice.conversations.list(), ErrorCode.ConnectionLost, 'a request while not connected');
  });

  it('moves the bookmark past updates as past messages, and skips what it saw before', async () => {
    const { relay, alice } = await setUp(10);
    const updates: number[] = [];
    alice.on('update', (u) => updates.push(u.seq));
    const edited = chatMessage(4, { text: 'edited', edited: 1 });
    relay.send({ t: 'update', seq: 11, conv: '#general', message: edited });
    relay.send({ t: 'update', seq: 11, conv: '#general', message: edited, replay: true });
    relay.send({ t: 'update', seq: 9, conv: '#general', message: edited, replay: true });
    relay.send(chatMessage(12));
    relay.send(chatMessage(11));
    await alice.waitForText('message 12');
    await settled(relay, alice);
    assert.deepEqual(updates, [11]);
    assert.deepEqual(
      alice.events.message.map((m) => m.seq),
      [12],
    );
    assert.deepEqual(alice.bookmark, { epoch: 'epoch-1', seq: 12 });

    relay.send({ t: 'update', seq: 13, conv: '#general', message: edited });
    await waitUntil(() => updates.length === 2, alice, ['update'], 'the second update');
    relay.cut();
    await alice.waitFor('welcome', () => alice.events.welcome.length === 2, 'the reconnect');
    assert.deepEqual(relay.hellos[1].resume, { epoch: 'epoch-1', seq: 13 }, 'the reconnect resumes after the update');
  });

  it('sends a read marker only when it moves forward, and keeps its own and others’ markers from the relay', async () => {
    const { relay, alice } = await setUp();
    const dm = `@${[alice.clientId, BOB].sort().join(',')}`;
    relay.send({
      t: 'team-state',
      channels: [],
      reads: [
        { conv: '#general', seq: 5 },
        { conv: dm, seq: 7, by: BOB },
      ],
    });
    await settled(relay, alice);
    assert.equal(alice.conversations.reads.get('#general'), 5);
    assert.equal(alice.conversations.seen.get(dm)?.get(BOB), 7);

    alice.conversations.markRead('#general', 4);
    alice.conversations.markRead('#general', 5);
    alice.conversations.markRead('#general', 8);
    alice.conversations.markRead('#general', 8);
    alice.conversations.markRead(dm, 9, false);
    await relay.waitForSent('read', 2);
    relay.send({ t: 'read-state', conv: '#general', seq: 20 });
    relay.send({ t: 'read-state', conv: dm, seq: 12, by: BOB });
    relay.send({ t: 'read-state', conv: dm, seq: 10, by: BOB });
    await settled(relay, alice);
    alice.conversations.markRead('#general', 15);
    alice.conversations.markRead('#general', 21);
    await relay.waitForSent('read', 3);
    await settled(relay, alice);
    assert.deepEqual(relay.sent('read'), [
      { t: 'read', conv: '#general', seq: 8 },
      { t: 'read', conv: dm, seq: 9, receipt: false },
      { t: 'read', conv: '#general', seq: 21 },
    ]);
    assert.equal(alice.conversations.reads.get('#general'), 21);
    assert.equal(alice.conversations.seen.get(dm)?.get(BOB), 12, 'a marker never moves back');
  });

  it('sends markers set while disconnected after the next team-state, unless the relay has them; a new epoch forgets them', async () => {
    const { relay, alice } = await setUp();
    relay.send({ t: 'team-state', channels: [], reads: [] });
    await settled(relay, alice);
    relay.refuse = true;
    relay.cut();
    await alice.waitFor('disconnected');
    alice.conversations.markRead('#general', 30);
    alice.conversations.markRead('#deploys', 3, false);
    assert.equal(alice.conversations.reads.get('#general'), 30, 'kept while disconnected');
    relay.refuse = false;
    await alice.waitFor('welcome', () => alice.events.welcome.length === 2, 'the reconnect');
    relay.send({ t: 'team-state', channels: [], reads: [{ conv: '#deploys', seq: 3 }] });
    await settled(relay, alice);
    assert.deepEqual(relay.sent('read'), [{ t: 'read', conv: '#general', seq: 30 }]);

    relay.epoch = 'epoch-2';
    relay.cut();
    await alice.waitFor('welcome', () => alice.events.welcome.length === 3, 'the reconnect to a new history');
    relay.send({ t: 'team-state', channels: [], reads: [] });
    await settled(relay, alice);
    assert.equal(alice.conversations.reads.size, 0, 'seqs of another history mean nothing');
    assert.equal(relay.sent('read').length, 1);
  });

  it('keeps the channels from team-state and channel events; a private channel one leaves disappears', async () => {
    const { relay, alice } = await setUp();
    const events = channelEvents(alice);
    const deploys = channelInfo('c1', { name: 'deploys', members: [alice.clientId, BOB] });
    const secret = channelInfo('c2', { name: 'secret', private: true, members: [alice.clientId, BOB] });
    const oldOne = channelInfo('c3', { name: 'old', archived: true, members: [alice.clientId] });
    relay.send({ t: 'team-state', channels: [channelInfo('general'), deploys, secret, oldOne], reads: [] });
    await settled(relay, alice);
    assert.deepEqual([...alice.conversations.channels.keys()], ['general', 'c1', 'c2', 'c3']);
    assert.equal(events.length, 0, 'team-state is its own event');

    relay.send({ t: 'channel', channel: deploys });
    relay.send({ t: 'channel', channel: { ...secret, members: [BOB], memberCount: 1 } });
    relay.send({ t: 'channel', channel: { ...deploys, members: [BOB], memberCount: 1 } });
    relay.send({ t: 'channel', channel: channelInfo('c4', { name: 'old', members: [BOB] }) });
    await settled(relay, alice);
    assert.deepEqual(
      events.map((c) => `${c.id}:${c.memberCount}`),
      ['c2:1', 'c1:1', 'c4:1'],
      'a channel event that changes nothing is not repeated',
    );
    assert.deepEqual([...alice.conversations.channels.keys()], ['general', 'c1', 'c3', 'c4']);
    assert.deepEqual(alice.conversations.channels.get('c1')?.members, [BOB], 'a public channel one left stays, to join again');
    assert.equal(alice.conversations.channelByName(' #Deploys')?.id, 'c1');
    assert.equal(alice.conversations.channelByName('old')?.id, 'c4', 'the live channel before the archived one');
    assert.equal(alice.conversations.channelByName('nothing'), undefined);

    const creating = alice.conversations.create('ops', { private: true, topic: 'on call', members: [BOB] });
    const [create] = await relay.waitForSent('channel-create');
    assert.deepEqual({ ...create, n: 0 }, { t: 'channel-create', n: 0, name: 'ops', private: true, topic: 'on call', members: [BOB] });
    const ops = channelInfo('c5', { name: 'ops', private: true, topic: 'on call', members: [alice.clientId, BOB] });
    relay.send({ t: 'channel-result', n: create.n, channel: ops });
    relay.send({ t: 'channel', channel: ops });
    assert.deepEqual(await withTimeout(creating, 'the new channel'), ops);
    await settled(relay, alice);
    assert.equal(alice.conversations.channels.get('c5')?.topic, 'on call');
    assert.equal(events.filter((c) => c.id === 'c5').length, 1, 'the answer and the event about it: told once');
  });

  it('sends replies in threads and to channels, and resends them whole after a reconnect', async () => {
    const { relay, alice } = await setUp();
    const sending = alice.send('#c1', 'a reply', { thread: 'epoch-1-3' });
    const [first] = await relay.waitForSent('send');
    assert.deepEqual({ ...first, ref: '' }, { t: 'send', ref: '', to: '#c1', text: 'a reply', thread: 'epoch-1-3' });
    assert.equal(alice.pending[0]?.thread, 'epoch-1-3');
    relay.cut();
    const [, again] = await relay.waitForSent('send', 2);
    assert.deepEqual(again, first);
    relay.send({ t: 'ack', ref: again.ref, id: 'epoch-1-9', seq: 9, ts: 1, reached: 1, online: [], offline: [] });
    assert.equal((await withTimeout(sending, 'the ack')).id, 'epoch-1-9');
    await rejectsWithCode(alice.send('deploys' as Targets, 'no #'), ErrorCode.NotFound, 'a channel without its "#"');
  });
});
