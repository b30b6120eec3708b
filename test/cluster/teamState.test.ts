// The team store of a relay cluster (src/server/cluster/kvTeamStore.ts) against a real
// nats-server: two stores on one engine agree, concurrent changes merge or lose cleanly, a
// store opened later loads everything, and changes made while the engine is down land later.
import { strict as assert } from 'node:assert';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { ErrorCode } from '../../src/net/protocol/errors';
import { channelKey, TEAM_BUCKET } from '../../src/server/cluster/teamKeys';
import { TeamStoreRefusal } from '../../src/server/teamStore';
import { useCleanup } from '../unit/helpers/loopback';
import { channel, commit, eventually, openTeamStore, useOneNodeNats } from './teamStateFixture';

/** A reaction names its people by client id (the wire's format). */
const BOB_ID = 'bob-0123456789abcdef';
const members = (store: { channel(id: string): { members: ReadonlySet<string> } | undefined }, id: string) => [...(store.channel(id)?.members ?? [])].sort();

describe('cluster team state (real nats-server)', function () {
  this.timeout(60_000);
  const cleanup = useCleanup();
  const engine = useOneNodeNats(cleanup);

  it('two relays agree on channels: create, rename, members, archive', async () => {
    const a = await openTeamStore(cleanup, engine.nats);
    const b = await openTeamStore(cleanup, engine.nats);
    a.putChannel(channel('c1', 'deploys', ['alice']));
    await commit(a);
    await eventually(() => b.channel('c1')?.name === 'deploys', 'b to see #deploys');
    b.putChannel({ ...b.channel('c1')!, name: 'releases', topic: 'Fridays', members: new Set(['alice', 'bob']) });
    await commit(b);
    await eventually(() => a.channel('c1')?.name === 'releases' && a.channel('c1')?.members.size === 2, 'a to see the rename and bob');
    assert.equal(a.channel('c1')!.topic, 'Fridays');
    a.putChannel({ ...a.channel('c1')!, archived: true });
    await commit(a);
    await eventually(() => b.channel('c1')?.archived === true, 'b to see the archive');
    // The archived channel's name is free again, on any relay.
    b.putChannel(channel('c2', 'releases', ['bob']));
    await commit(b);
    await eventually(() => a.channel('c2')?.name === 'releases', 'a to see the new #releases');
  });

  it('merges membership changes two relays make at once', async () => {
    const a = await openTeamStore(cleanup, engine.nats);
    const b = await openTeamStore(cleanup, engine.nats);
    a.putChannel(channel('c1', 'team', ['alice']));
    await commit(a);
    await eventually(() => b.channel('c1') !== undefined, 'b to see #team');
    const base = a.channel('c1')!;
    a.putChannel({ ...base, members: new Set([...base.members, 'bob']) });
    b.putChannel({ ...base, members: new Set([...base.members, 'carol']) });
    await Promise.all([commit(a), commit(b)]);
    for (const store of [a, b]) await eventually(() => members(store, 'c1').join() === 'alice,bob,carol', 'both to hold alice, bob and carol');
    const late = await openTeamStore(cleanup, engine.nats);
    assert.deepEqual(members(late, 'c1'), ['alice', 'bob', 'carol']);
  });

  it('lets exactly one of two relays create a channel with the same name at once', async () => {
    const a = await openTeamStore(cleanup, engine.nats);
    const b = await openTeamStore(cleanup, engine.nats);
    a.putChannel(channel('ca', 'launch', ['alice']));
    b.putChannel(channel('cb', 'launch', ['bob']));
    const results = await Promise.allSettled([commit(a), commit(b)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1, 'exactly one creation stored');
    assert.equal(lost.length, 1);
    assert.ok(lost[0].reason instanceof TeamStoreRefusal);
    assert.equal(lost[0].reason.code, ErrorCode.Conflict);
    assert.match(lost[0].reason.message, /#launch already/);
    const winner = results[0].status === 'fulfilled' ? 'ca' : 'cb';
    const loser = winner === 'ca' ? 'cb' : 'ca';
    for (const store of [a, b]) {
      await eventually(() => store.channel(winner) !== undefined && store.channel(loser) === undefined, 'both to hold only the winner');
    }
  });

  it('holds a channel of 25,000 members, more than one value could hold: a join is one small key', async () => {
    const a = await openTeamStore(cleanup, engine.nats);
    const b = await openTeamStore(cleanup, engine.nats);
    const crowd = Array.from({ length: 25_000 }, (_, i) => `member-${String(i).padStart(33, '0')}`);
    a.putChannel(channel('big', 'crowd', crowd));
    await commit(a);
    await eventually(() => b.channel('big')?.members.size === 25_000, 'b to hold every member');
    b.putChannel({ ...b.channel('big')!, members: new Set([...b.channel('big')!.members, 'late-joiner']) });
    await commit(b);
    await eventually(() => a.channel('big')?.members.has('late-joiner') === true, 'a to see the join');
    assert.equal(a.channel('big')!.members.size, 25_001);
    const late = await openTeamStore(cleanup, engine.nats);
    assert.equal(late.channel('big')?.members.size, 25_001, 'a store opened later loads them all');
    assert.equal(late.channel('big')?.name, 'crowd');
  });

  it('reads a channel a relay of the version before wrote with its members inside, and gives them keys at its next change', async () => {
    const nc: NatsConnection = await connect({ servers: engine.nats.urls });
    cleanup.add('engine connection', () => nc.close());
    const kv = await new Kvm(nc).create(TEAM_BUCKET, { history: 1 });
    const { members: _inside, ...meta } = channel('old', 'legacy', []);
    await kv.put(channelKey('old'), JSON.stringify({ ...meta, members: ['alice', 'bob'] }));
    const a = await openTeamStore(cleanup, engine.nats);
    assert.deepEqual(members(a, 'old'), ['alice', 'bob']);
    // carol joins, then the channel is renamed: its value (written last) no longer lists anyone.
    a.putChannel({ ...a.channel('old')!, members: new Set([...a.channel('old')!.members, 'carol']) });
    await commit(a);
    a.putChannel({ ...a.channel('old')!, name: 'renamed' });
    await commit(a);
    const value = JSON.parse((await kv.get(channelKey('old')))!.string()) as Record<string, unknown>;
    assert.equal(value.members, undefined, 'members are keys of their own now');
    const late = await openTeamStore(cleanup, engine.nats);
    assert.equal(late.channel('old')?.name, 'renamed');
    assert.deepEqual(members(late, 'old'), ['alice', 'bob', 'carol'], 'loaded from their keys, which came before the value');
  });

  it('keeps the larger read marker, and shares receipts settings and message changes', async () => {
    const a = await openTeamStore(cleanup, engine.nats);
    const b = await openTeamStore(cleanup, engine.nats);
    const dm = '@alice,bob';
    a.setReadMarker('alice', dm, 10);
    b.setReadMarker('alice', dm, 5);
    await Promise.all([commit(a), commit(b)]);
    for (const store of [a, b]) await eventually(() => store.readMarker('alice', dm) === 10, 'the marker at 10 everywhere');
    assert.deepEqual([...b.readMarkersIn(dm)], [['alice', 10]], 'b can show "Seen by"');
    assert.deepEqual([...b.smallConversationsWith('bob')], [dm]);
    a.setSendsReceipts('alice', false);
    a.setMessageState(7, { text: 'edited', edited: 123, reactions: [{ emoji: '👍', by: [BOB_ID] }] });
    a.setMessageState(9, { deleted: true });
    await commit(a);
    await eventually(() => !b.sendsReceipts('alice') && b.messageState(9)?.deleted === true, 'b to see receipts off and the delete');
    assert.deepEqual(b.messageState(7), { text: 'edited', edited: 123, reactions: [{ emoji: '👍', by: [BOB_ID] }] });
    a.forgetMessagesUpTo(8);
    await commit(a);
    await eventually(() => b.messageState(7) === undefined, 'b to forget message 7');
    assert.equal(b.messageState(9)?.deleted, true);
    const late = await openTeamStore(cleanup, engine.nats);
    assert.equal(late.readMarker('alice', dm), 10);
    assert.equal(late.sendsReceipts('alice'), false);
    assert.equal(late.messageState(7), undefined);
    assert.equal(late.messageState(9)?.deleted, true);
  });

  it('loads everything in a store opened later', async () => {
    const a = await openTeamStore(cleanup, engine.nats);
    for (let i = 0; i < 30; i++) {
      a.putChannel(channel(`c${i}`, `room-${i}`, ['alice', `p${i}`], { private: i % 2 === 0 }));
      a.setReadMarker('alice', `#c${i}`, i + 1);
    }
    a.putChannel({ ...a.channel('general')!, topic: 'all hands' });
    await commit(a);
    const late = await openTeamStore(cleanup, engine.nats);
    assert.equal([...late.channels()].length, 31);
    assert.equal(late.channel('general')!.topic, 'all hands');
    assert.equal(late.channel('c4')!.private, true);
    assert.deepEqual(members(late, 'c7'), ['alice', 'p7']);
    assert.equal(late.readMarkerCount('alice'), 30);
    assert.equal(late.readMarker('alice', '#c29'), 30);
  });

  it('keeps changes made while the engine is down and writes them once it is back', async () => {
    const a = await openTeamStore(cleanup, engine.nats);
    await engine.nats.kill9(0);
    a.putChannel(channel('c1', 'outage', ['alice']));
    a.setReadMarker('alice', '#c1', 4);
    let landed = false;
    const written = commit(a).then(() => (landed = true));
    // Still in memory on this relay, and waiting for the engine.
    assert.equal(a.channel('c1')?.name, 'outage');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(landed, false, 'not reported stored while the engine is down');
    assert.ok(a.backlog >= 1);
    await engine.nats.restart(0);
    await written;
    assert.equal(a.backlog, 0);
    const late = await openTeamStore(cleanup, engine.nats);
    assert.equal(late.channel('c1')?.name, 'outage');
    assert.equal(late.readMarker('alice', '#c1'), 4);
    // And a's watch came back with the engine: it hears of changes made elsewhere again.
    late.putChannel(channel('c2', 'after-outage', ['bob']));
    await commit(late);
    await eventually(() => a.channel('c2')?.name === 'after-outage', 'a to see a channel made after the outage');
  });
});
