import { strict as assert } from 'node:assert';
import { generateIdentity } from '../../../src/net/identity';
import { ErrorCode } from '../../../src/net/protocol/errors';
import { peopleKey } from '../../../src/net/protocol/conversationKeys';
import { ChannelChange, Channels, MEMBERS_ON_WIRE } from '../../../src/server/channels';
import { MemoryTeamStore } from '../../../src/server/memoryTeamStore';
import { Refusal } from '../../../src/server/requestRefusal';
import type { ChannelRecord } from '../../../src/server/teamStore';

const ALICE = generateIdentity().clientId;
const BOB = generateIdentity().clientId;
const CAROL = generateIdentity().clientId;
const STRANGER = generateIdentity().clientId;

/** The rules over a memory store with alice, bob and carol known; changes are stored as the relay does. */
function team() {
  const store = new MemoryTeamStore();
  const known = new Set([ALICE, BOB, CAROL]);
  let n = 0;
  const channels = new Channels(
    store,
    {
      has: (id) => known.has(id),
      get size() {
        return known.size;
      },
    },
    () => `id${++n}`,
  );
  const apply = (outcome: ChannelChange | Refusal): ChannelRecord => {
    if (outcome instanceof Refusal) throw new Error(`refused: ${outcome.code} ${outcome.message}`);
    store.putChannel(outcome.after);
    return outcome.after;
  };
  return { store, channels, apply };
}

function refusal(outcome: ChannelChange | Refusal): Refusal {
  if (!(outcome instanceof Refusal)) throw new Error(`expected a refusal, got ${JSON.stringify({ ...outcome.after, members: [...outcome.after.members] })}`);
  return outcome;
}

describe('channel rules', function () {
  it('creates a public channel with its creator in it, and refuses a bad or taken name', function () {
    const { channels, apply } = team();
    const ops = apply(channels.create(ALICE, { name: 'ops', topic: 'on call' }, 1234));
    assert.deepEqual(
      { ...ops, members: [...ops.members] },
      {
        id: 'id1',
        name: 'ops',
        topic: 'on call',
        private: false,
        archived: false,
        createdBy: ALICE,
        createdAt: 1234,
        members: [ALICE],
      },
    );
    assert.equal(refusal(channels.create(BOB, { name: 'ops' })).code, ErrorCode.Conflict);
    assert.equal(refusal(channels.create(BOB, { name: 'general' })).code, ErrorCode.Conflict, '#general is taken from the start');
    assert.equal(refusal(channels.create(BOB, { name: 'Has Spaces' })).code, ErrorCode.BadMessage);
    assert.equal(refusal(channels.create(BOB, { name: '#ops2' })).code, ErrorCode.BadMessage);
    assert.equal(refusal(channels.create(BOB, { name: 'new', members: [STRANGER] })).code, ErrorCode.NoSuchPeer);
  });

  it('lets anyone join a public channel and leave it; #general cannot be left', function () {
    const { channels, apply } = team();
    const ops = apply(channels.create(ALICE, { name: 'ops' }));
    assert.equal(channels.canRead(BOB, '#' + ops.id), false, 'not a member yet');
    apply(channels.join(BOB, ops.id));
    assert.equal(channels.canRead(BOB, '#' + ops.id), true);
    const again = channels.join(BOB, ops.id);
    assert.ok(!(again instanceof Refusal) && !again.changed, 'joining twice changes nothing');
    apply(channels.leave(BOB, ops.id));
    assert.equal(channels.canRead(BOB, '#' + ops.id), false, 'a public channel one left is not readable until one joins again');
    assert.equal(refusal(channels.leave(BOB, 'general')).code, ErrorCode.Conflict);
  });

  it('hides a private channel from non-members: NOT_FOUND for everything, exactly like a channel that does not exist', function () {
    const { channels, apply } = team();
    const secret = apply(channels.create(ALICE, { name: 'secret', private: true, members: [BOB] }));
    const asked = [
      channels.join(CAROL, secret.id),
      channels.leave(CAROL, secret.id),
      channels.add(CAROL, secret.id, [CAROL]),
      channels.update(CAROL, secret.id, { topic: 'mine now' }),
    ];
    const missing = [
      channels.join(CAROL, 'nope'),
      channels.leave(CAROL, 'nope'),
      channels.add(CAROL, 'nope', [CAROL]),
      channels.update(CAROL, 'nope', { topic: 'x' }),
    ];
    assert.deepEqual(asked.map(refusal), missing.map(refusal));
    assert.ok(asked.every((r) => refusal(r).code === ErrorCode.NotFound));
    assert.deepEqual(refusal(channels.writable(CAROL, secret.id) as Refusal), refusal(channels.writable(CAROL, 'nope') as Refusal));
    assert.equal(channels.canRead(CAROL, '#' + secret.id), false);
    assert.deepEqual(
      channels.visibleTo(CAROL).map((c) => c.name),
      ['general'],
    );
    assert.equal(channels.byName('secret', CAROL), undefined);
    assert.deepEqual(
      channels
        .visibleTo(BOB)
        .map((c) => c.name)
        .sort(),
      ['general', 'secret'],
    );
    assert.equal(channels.byName('#Secret', BOB)?.id, secret.id);
  });

  it('lets members add members to a private channel; whoever is added can read it', function () {
    const { channels, apply } = team();
    const secret = apply(channels.create(ALICE, { name: 'secret', private: true }));
    apply(channels.add(ALICE, secret.id, [BOB]));
    apply(channels.add(BOB, secret.id, [CAROL]));
    assert.equal(channels.canRead(CAROL, '#' + secret.id), true);
    assert.equal(refusal(channels.add(BOB, secret.id, [STRANGER])).code, ErrorCode.NoSuchPeer);
    assert.equal(refusal(channels.add(ALICE, 'general', [BOB])).code, ErrorCode.Conflict);
  });

  it('lets only members rename a channel or set its topic, with the name rules', function () {
    const { channels, apply } = team();
    const ops = apply(channels.create(ALICE, { name: 'ops' }));
    apply(channels.create(ALICE, { name: 'dev' }));
    assert.equal(refusal(channels.update(BOB, ops.id, { topic: 'x' })).code, ErrorCode.Forbidden, 'public: visible, so FORBIDDEN');
    apply(channels.join(BOB, ops.id));
    assert.equal(apply(channels.update(BOB, ops.id, { name: 'operations', topic: 'pager' })).name, 'operations');
    assert.equal(refusal(channels.update(BOB, ops.id, { name: 'dev' })).code, ErrorCode.Conflict);
    assert.equal(refusal(channels.update(BOB, ops.id, { name: 'Bad Name' })).code, ErrorCode.BadMessage);
    assert.equal(apply(channels.update(CAROL, 'general', { topic: 'all hands' })).topic, 'all hands', 'everyone is a member of #general');
    assert.equal(refusal(channels.update(ALICE, 'general', { name: 'everyone' })).code, ErrorCode.Conflict);
  });

  it('lets only the creator archive and restore; an archived channel is readable, not writable, and frees its name', function () {
    const { channels, apply } = team();
    const ops = apply(channels.create(ALICE, { name: 'ops', members: [BOB] }));
    assert.equal(refusal(channels.update(BOB, ops.id, { archived: true })).code, ErrorCode.Forbidden);
    apply(channels.update(ALICE, ops.id, { archived: true }));
    assert.equal(channels.canRead(BOB, '#' + ops.id), true);
    assert.equal(refusal(channels.writable(BOB, ops.id) as Refusal).code, ErrorCode.Conflict);
    assert.equal(refusal(channels.join(CAROL, ops.id)).code, ErrorCode.Conflict);
    assert.equal(refusal(channels.update(BOB, ops.id, { topic: 'x' })).code, ErrorCode.Conflict);
    const second = apply(channels.create(CAROL, { name: 'ops' }));
    assert.equal(refusal(channels.update(ALICE, ops.id, { archived: false })).code, ErrorCode.Conflict, 'its name is taken again');
    apply(channels.update(ALICE, ops.id, { archived: false, name: 'ops-old' }));
    assert.equal(channels.byName('ops', ALICE)?.id, second.id);
    assert.equal(refusal(channels.update(ALICE, 'general', { archived: true })).code, ErrorCode.Conflict);
  });

  it('reads direct and group conversations by participation only', function () {
    const { channels } = team();
    assert.equal(channels.canRead(ALICE, peopleKey([ALICE, BOB])), true);
    assert.equal(channels.canRead(CAROL, peopleKey([ALICE, BOB])), false);
    assert.equal(channels.canRead(CAROL, peopleKey([ALICE, BOB, CAROL])), true);
    assert.equal(channels.canRead(CAROL, '#general'), true);
    assert.equal(channels.canRead(CAROL, 'general'), false, 'not a key');
  });

  it('tells members the member list and others only the count; #general counts everyone known', function () {
    const { channels, apply, store } = team();
    const ops = apply(channels.create(ALICE, { name: 'ops', members: [BOB] }));
    assert.deepEqual(channels.info(ops, ALICE).members?.sort(), [ALICE, BOB].sort());
    assert.equal(channels.info(ops, CAROL).members, undefined);
    assert.equal(channels.info(ops, CAROL).memberCount, 2);
    const general = channels.info(store.channel('general')!, ALICE);
    assert.equal(general.members, undefined);
    assert.equal(general.memberCount, 3);
    const crowd = new Set(Array.from({ length: MEMBERS_ON_WIRE + 1 }, (_, i) => `member-${String(i).padStart(12, '0')}`));
    const big = { ...ops, members: new Set([ALICE, ...crowd]) };
    assert.equal(channels.info(big, ALICE).members, undefined, 'too many to list on the wire');
    assert.equal(channels.info(big, ALICE).memberCount, MEMBERS_ON_WIRE + 2);
  });
});
