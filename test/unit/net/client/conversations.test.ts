import { strict as assert } from 'node:assert';
import { ClientEvents, isChannelMember, TeamClient } from '../../../../src/net/client/teamClient';
import { generateIdentity, Identity } from '../../../../src/net/identity';
import { channelKey, GENERAL_KEY, peopleKey } from '../../../../src/net/protocol/conversationKeys';
import { ErrorCode } from '../../../../src/net/protocol/errors';
import { Targets } from '../../../../src/net/protocol/messages';
import { Cleanup, createClient, rejectsWithCode, startRelay, TestClient, TestClientOptions, useCleanup, waitUntil, withTimeout } from '../../helpers/loopback';

type Recorded = 'update' | 'channel' | 'team-state' | 'read-state';

/** A client that also records the conversation events (the test client records the others). */
class Member {
  readonly seen: { [K in Recorded]: ClientEvents[K][0][] } = { update: [], channel: [], 'team-state': [], 'read-state': [] };

  /** `identity`: the key it logs in with (another machine of the same person uses it too). */
  constructor(
    readonly client: TestClient,
    readonly identity: Identity,
  ) {
    for (const event of Object.keys(this.seen) as Recorded[]) {
      (client as unknown as NodeJS.EventEmitter).on(event, (value: unknown) => (this.seen[event] as unknown[]).push(value));
    }
  }

  get conversations() {
    return this.client.conversations;
  }

  get id(): string {
    return this.client.clientId;
  }

  /** The first recorded or future `event` that passes `accept`. */
  waitFor<K extends Recorded>(event: K, accept: (value: ClientEvents[K][0]) => boolean, label: string): Promise<ClientEvents[K][0]> {
    const list = this.seen[event] as ClientEvents[K][0][];
    return waitUntil(() => list.find(accept), this.client, [event], `${this.client.name}: ${label}`);
  }
}

/** Connects a member, recording from before its first welcome (team-state follows it at once). */
async function join(cleanup: Cleanup, port: number, options: TestClientOptions): Promise<Member> {
  const identity = options.identity ?? generateIdentity();
  const member = new Member(createClient(cleanup, port, { ...options, identity }), identity);
  await withTimeout(member.client.connect(), `${options.name} to connect`);
  await member.waitFor('team-state', () => true, 'the team state after the welcome');
  return member;
}

function send(client: TeamClient, to: Targets, text: string, thread?: string) {
  return withTimeout(client.send(to, text, thread ? { thread } : {}), `${client.name}: ack of "${text}"`);
}

/**
 * The client's conversation features against the real relay over loopback: channels, threads,
 * edits, deletes, reactions, read state across an identity's machines, history and search, and
 * what someone who is not in a conversation gets (nothing).
 */
describe('client conversations against the relay', function () {
  const cleanup = useCleanup();

  async function team(...names: string[]): Promise<{ port: number; members: Member[] }> {
    const relay = await startRelay(cleanup);
    const port = relay.address().port;
    const members: Member[] = [];
    for (const name of names) members.push(await join(cleanup, port, { name }));
    return { port, members };
  }

  it('creates, lists, joins and leaves public channels; a channel is read and written by its members only', async () => {
    const {
      port,
      members: [alice, bob, carol],
    } = await team('alice', 'bob', 'carol');
    assert.ok(bob.conversations.channels.has('general'), '#general is there from the start');
    assert.ok(isChannelMember(bob.conversations.channels.get('general')!, bob.id));

    const deploys = await alice.conversations.create('deploys', { topic: 'ship it' });
    assert.deepEqual([deploys.name, deploys.topic, deploys.private, deploys.members], ['deploys', 'ship it', false, [alice.id]]);
    const told = await bob.waitFor('channel', (c) => c.id === deploys.id, 'news of #deploys');
    assert.equal(told.name, 'deploys');
    assert.equal(isChannelMember(bob.conversations.channelByName('#deploys')!, bob.id), false, 'bob sees it but is not in it');
    const key = channelKey(deploys.id);
    await rejectsWithCode(bob.conversations.history(key, { limit: 10 }), ErrorCode.NotFound, 'reading before joining');
    await rejectsWithCode(bob.conversations.create('deploys'), ErrorCode.Conflict, 'a second #deploys');
    await rejectsWithCode(bob.conversations.leave('general'), ErrorCode.Conflict, 'leaving #general');

    const joined = await bob.conversations.join(deploys.id);
    assert.ok(isChannelMember(joined, bob.id));
    assert.ok(isChannelMember(bob.conversations.channels.get(deploys.id)!, bob.id), 'kept as it is now');
    await send(alice.client, key, 'v1.2 is out');
    const got = await bob.client.waitForText('v1.2 is out');
    assert.equal(got.to, key);
    const page = await bob.conversations.history(key, { limit: 10 });
    assert.deepEqual(
      page.messages.map((m) => m.text),
      ['v1.2 is out'],
    );
    await rejectsWithCode(carol.conversations.history(key, { limit: 10 }), ErrorCode.NotFound, 'carol reading #deploys');
    assert.deepEqual((await carol.conversations.search('out')).hits, [], 'a search never finds what carol may not read');

    const left = await bob.conversations.leave(deploys.id);
    assert.equal(isChannelMember(left, bob.id), false);
    assert.ok(bob.conversations.channels.has(deploys.id), 'a public channel one left stays, to join again');
    await rejectsWithCode(bob.client.send(key, 'still here?'), ErrorCode.NotFound, 'writing after leaving');

    // Another machine of bob's learns the channels from its team state.
    const bobAgain = await join(cleanup, port, { name: 'bob', identity: bob.identity });
    assert.equal(bobAgain.conversations.channelByName('deploys')?.id, deploys.id);
    assert.deepEqual((await carol.conversations.list()).map((c) => c.name).sort(), ['deploys', 'general']);
  });

  it('a private channel is seen by its members only, and disappears for one who leaves it', async () => {
    const {
      members: [alice, bob, carol],
    } = await team('alice', 'bob', 'carol');
    const secret = await alice.conversations.create('secret', { private: true, members: [bob.id] });
    assert.deepEqual([...(secret.members ?? [])].sort(), [alice.id, bob.id].sort());
    await bob.waitFor('channel', (c) => c.id === secret.id, 'news of the private channel');
    assert.ok(bob.conversations.channels.has(secret.id));
    assert.ok(!(await carol.conversations.list()).some((c) => c.id === secret.id), 'carol is not told it exists');
    await rejectsWithCode(carol.conversations.join(secret.id), ErrorCode.NotFound, 'carol joining');
    await rejectsWithCode(carol.client.send(channelKey(secret.id), 'let me in'), ErrorCode.NotFound, 'carol writing');

    const changes = bob.seen.channel.length;
    await bob.conversations.leave(secret.id);
    assert.equal(bob.conversations.channels.has(secret.id), false);
    assert.equal(bob.seen.channel.length, changes + 1, 'and the client said so');
    assert.ok(!carol.conversations.channels.has(secret.id));
  });

  it('threads, edits, deletes and reactions reach the other side live, and history serves the latest', async () => {
    const {
      members: [alice, bob, carol],
    } = await team('alice', 'bob', 'carol');
    const dm = peopleKey([alice.id, bob.id]);
    const parent = await send(alice.client, [bob.id], 'shall we ship?');
    const reply = await send(bob.client, [alice.id], 'yes', parent.id);
    const replied = await alice.client.waitForText('yes');
    assert.equal(replied.thread, parent.id);
    const summary = await alice.waitFor('update', (u) => u.message.id === parent.id && u.message.replies?.count === 1, 'the reply count');
    assert.equal(summary.conv, dm);
    assert.deepEqual(summary.message.replies?.by, [bob.id]);

    assert.ok((await alice.conversations.edit(parent.id, 'shall we ship today?')) > reply.seq);
    const edited = await bob.waitFor('update', (u) => u.message.id === parent.id && u.message.edited !== undefined, 'the edit');
    assert.equal(edited.message.text, 'shall we ship today?');
    await rejectsWithCode(bob.conversations.edit(parent.id, 'mine now'), ErrorCode.Forbidden, "editing alice's message");
    await rejectsWithCode(carol.conversations.react(parent.id, '👍', true), ErrorCode.NotFound, 'carol reacting to a message she cannot read');

    await bob.conversations.react(parent.id, '👍', true);
    const reacted = await alice.waitFor('update', (u) => u.message.reactions?.[0]?.emoji === '👍', 'the reaction');
    assert.deepEqual(reacted.message.reactions, [{ emoji: '👍', by: [bob.id] }]);
    await alice.conversations.remove(parent.id);
    const tombstone = await bob.waitFor('update', (u) => u.message.id === parent.id && u.message.deleted === true, 'the delete');
    assert.equal(tombstone.message.text, '');

    const top = await bob.conversations.history(dm, { limit: 10 });
    assert.deepEqual(
      top.messages.map((m) => [m.id, m.deleted, m.replies?.count]),
      [[parent.id, true, 1]],
      'top level: the parent, deleted, its thread still there; the reply is not listed',
    );
    const thread = await alice.conversations.history(dm, { thread: parent.id, limit: 10 });
    assert.deepEqual(
      thread.messages.map((m) => m.text),
      ['yes'],
    );
    assert.deepEqual(
      (await alice.conversations.search('yes')).hits.map((h) => [h.conv, h.message.id]),
      [[dm, reply.id]],
    );
    assert.deepEqual((await carol.conversations.search('yes')).hits, []);
  });

  it('someone away gets the changes when they come back, and the bookmark moves past them', async () => {
    const {
      port,
      members: [alice, bob],
    } = await team('alice', 'bob');
    const sent = await send(alice.client, [bob.id], 'draft');
    await bob.client.waitForText('draft');
    const bookmark = bob.client.bookmark;
    await bob.client.close();
    const editSeq = await alice.conversations.edit(sent.id, 'final');
    const reactSeq = await alice.conversations.react(sent.id, '🚀', true);

    const back = new Member(createClient(cleanup, port, { name: 'bob', identity: bob.identity, bookmark }), bob.identity);
    await withTimeout(back.client.connect(), 'bob to come back');
    const latest = await back.waitFor('update', (u) => u.seq === reactSeq, 'the changes made while away');
    assert.equal(latest.replay, true);
    assert.equal(latest.message.text, 'final');
    assert.deepEqual(latest.message.reactions, [{ emoji: '🚀', by: [alice.id] }]);
    assert.ok(editSeq < reactSeq);
    assert.deepEqual(
      back.seen.update.map((u) => u.message.text),
      back.seen.update.map(() => 'final'),
      'every change replayed carries the latest version',
    );
    assert.equal(back.client.received('draft').length, 0, 'what was delivered before is not delivered again');
    assert.ok((back.client.bookmark?.seq ?? 0) >= reactSeq);
  });

  it("an identity's machines share read markers and sent messages; the others see how far it read unless it says not to", async () => {
    const {
      port,
      members: [alice, bob],
    } = await team('alice', 'bob');
    const desk = await join(cleanup, port, { name: 'alice', identity: alice.identity, machine: 'desk' });
    const dm = peopleKey([alice.id, bob.id]);
    const first = await send(bob.client, [alice.id], 'are you there?');
    await alice.client.waitForText('are you there?');
    await desk.client.waitForText('are you there?');

    alice.conversations.markRead(dm, first.seq);
    await desk.waitFor('read-state', (r) => r.conv === dm && r.seq === first.seq && r.by === undefined, 'the marker from the laptop');
    assert.equal(desk.conversations.reads.get(dm), first.seq);
    await bob.waitFor('read-state', (r) => r.by === alice.id && r.seq === first.seq, '"seen by alice"');
    assert.equal(bob.conversations.seen.get(dm)?.get(alice.id), first.seq);

    const second = await send(bob.client, [alice.id], 'hello?');
    await desk.client.waitForText('hello?');
    desk.conversations.markRead(dm, second.seq, false);
    await alice.waitFor('read-state', (r) => r.conv === dm && r.seq === second.seq, 'the marker from the desk');
    await bob.conversations.list(); // anything the relay told bob about that marker came before this
    assert.equal(bob.conversations.seen.get(dm)?.get(alice.id), first.seq, 'no receipt when alice asked for none');

    const mine = await send(alice.client, [bob.id], 'here now');
    const echoed = await desk.client.waitForText('here now');
    assert.equal(echoed.id, mine.id, "alice's other machine gets what she sent");
    const third = await join(cleanup, port, { name: 'alice', identity: alice.identity, machine: 'phone' });
    assert.equal(third.conversations.reads.get(dm), second.seq, 'a new machine starts from the same marker');
  });

  it('pages back through a channel and continues a search', async () => {
    const {
      members: [alice, bob],
    } = await team('alice', 'bob');
    const seqs: number[] = [];
    for (let i = 1; i <= 25; i++) seqs.push((await send(alice.client, 'all', `note ${i}`)).seq);
    const newest = await bob.conversations.history(GENERAL_KEY, { limit: 10 });
    assert.deepEqual(
      newest.messages.map((m) => m.seq),
      seqs.slice(15),
    );
    assert.equal(newest.older, true);
    const older = await bob.conversations.history(GENERAL_KEY, { limit: 10, before: newest.messages[0].seq });
    assert.deepEqual(
      older.messages.map((m) => m.seq),
      seqs.slice(5, 15),
    );
    const firstHits = await bob.conversations.search('note', { limit: 20 });
    assert.equal(firstHits.hits.length, 20);
    assert.equal(firstHits.more, true);
    const rest = await bob.conversations.search('note', { limit: 20, before: firstHits.hits.at(-1)!.message.seq });
    assert.deepEqual(
      [...firstHits.hits, ...rest.hits].map((h) => h.message.seq),
      [...seqs].reverse(),
    );
    assert.equal(rest.more, false);
  });
});
