import { strict as assert } from 'node:assert';
import type { PeerInfo } from '../../../../src/net/protocol/messages';
import { REMOTE_ALIAS_BASE, RemoteChange, RemoteRoster, RESYNC } from '../../../../src/server/cluster/remoteRoster';
import { decodeJson, decodeSnapshot, encodeJson, encodeSnapshot, PresenceEvent } from '../../../../src/server/cluster/presenceWire';

function peer(id: number, clientId: string, status: PeerInfo['status'] = 'online'): PeerInfo {
  return { id, clientId: clientId.padEnd(16, 'x'), name: `name-${clientId}`, machine: 'm', address: '10.0.0.1:5000', status, since: 1 };
}

function kinds(changes: RemoteChange[] | typeof RESYNC): string[] {
  assert.notEqual(changes, RESYNC);
  return (changes as RemoteChange[]).map((c) => `${c.kind}:${c.member.clientId.replace(/x+$/, '')}`);
}

describe('cluster presence: the remote roster', () => {
  it('learns a relay from its snapshot, then follows its events in order', () => {
    const roster = new RemoteRoster();
    assert.equal(roster.apply('r1', { t: 'joined', n: 1, peer: peer(1, 'alice'), instance: 'i1' }), RESYNC, 'an unknown relay is read first');
    assert.deepEqual(kinds(roster.applySnapshot('r1', { n: 1, connections: [{ peer: peer(1, 'alice'), instance: 'i1' }] })), ['joined:alice']);
    assert.deepEqual(kinds(roster.apply('r1', { t: 'joined', n: 1, peer: peer(1, 'alice'), instance: 'i1' })), [], 'already in the snapshot');
    assert.deepEqual(kinds(roster.apply('r1', { t: 'joined', n: 2, peer: peer(2, 'bob'), instance: 'i2' })), ['joined:bob']);
    assert.deepEqual(kinds(roster.apply('r1', { t: 'peer', n: 3, peer: peer(2, 'bob', 'busy') })), ['updated:bob']);
    assert.equal(roster.membersOf('bob'.padEnd(16, 'x'))?.[0].status, 'busy');
    assert.equal(roster.apply('r1', { t: 'left', n: 5, id: 1, clientId: 'alice'.padEnd(16, 'x'), name: 'a', reason: 'x' }), RESYNC, 'a gap: n=4 was lost');
    assert.equal(roster.changeCount('r1'), 3);
  });

  it('gives remote connections alias ids that never collide with local ones, stable across snapshots', () => {
    const roster = new RemoteRoster();
    roster.applySnapshot('r1', { n: 1, connections: [{ peer: peer(1, 'alice'), instance: 'i' }] });
    roster.applySnapshot('r2', { n: 1, connections: [{ peer: peer(1, 'bob'), instance: 'i' }] });
    const ids = [...roster.members()].map((m) => m.info().id);
    assert.ok(ids.every((id) => id >= REMOTE_ALIAS_BASE));
    assert.equal(new Set(ids).size, 2, 'the same remote id on two relays is two connections');
    roster.applySnapshot('r1', { n: 2, connections: [{ peer: peer(1, 'alice', 'away'), instance: 'i' }] });
    assert.equal(roster.membersOf('alice'.padEnd(16, 'x'))?.[0].info().id, ids[0]);
    const member = roster.membersOf('alice'.padEnd(16, 'x'))![0];
    assert.equal(member.remoteId, 1, 'the id its own relay knows it by (for kicks)');
  });

  it('shows as left whoever a newer snapshot no longer lists, and ignores an older snapshot', () => {
    const roster = new RemoteRoster();
    roster.applySnapshot('r1', {
      n: 5,
      connections: [
        { peer: peer(1, 'alice'), instance: 'i' },
        { peer: peer(2, 'bob'), instance: 'i' },
      ],
    });
    assert.deepEqual(kinds(roster.applySnapshot('r1', { n: 4, connections: [] })), [], 'older than what is known');
    assert.deepEqual(kinds(roster.applySnapshot('r1', { n: 7, connections: [{ peer: peer(2, 'bob'), instance: 'i' }] })), ['left:alice']);
    assert.equal(roster.has('alice'.padEnd(16, 'x')), false);
    assert.deepEqual([...roster.identities()], ['bob'.padEnd(16, 'x')]);
  });

  it('drops a relay that says goodbye or goes silent, with all its people', () => {
    const roster = new RemoteRoster();
    roster.applySnapshot('r1', { n: 1, connections: [{ peer: peer(1, 'alice'), instance: 'i' }] });
    roster.applySnapshot('r2', {
      n: 1,
      connections: [
        { peer: peer(1, 'bob'), instance: 'i' },
        { peer: peer(2, 'bob'), instance: 'j' },
      ],
    });
    assert.deepEqual(kinds(roster.apply('r1', { t: 'bye', n: 2 })), ['left:alice']);
    assert.equal(roster.knows('r1'), false);
    assert.deepEqual(kinds(roster.drop('r2', 'silent')), ['left:bob', 'left:bob']);
    assert.deepEqual([...roster.members()], []);
    assert.deepEqual(kinds(roster.apply('r9', { t: 'bye', n: 1 })), [], 'goodbye from a relay never known');
  });

  it('finds the connections of the same client process (the ones a reconnect elsewhere replaces)', () => {
    const roster = new RemoteRoster();
    roster.applySnapshot('r1', {
      n: 1,
      connections: [
        { peer: peer(1, 'alice'), instance: 'laptop' },
        { peer: peer(2, 'alice'), instance: 'desktop' },
      ],
    });
    assert.deepEqual(
      roster.sameProcess('alice'.padEnd(16, 'x'), 'laptop').map((m) => m.remoteId),
      [1],
    );
  });
});

describe('cluster presence: what relays tell each other', () => {
  it('round-trips a gzipped snapshot and refuses what is not one', () => {
    const snapshot = { n: 3, connections: [{ peer: peer(1, 'alice'), instance: 'i' }] };
    assert.deepEqual(decodeSnapshot(encodeSnapshot(snapshot)), snapshot);
    assert.ok(decodeSnapshot(Buffer.from('{"n":1}')) instanceof Error);
    assert.match(String(decodeSnapshot(Buffer.from('{"n":1}'))), /gzip/);
  });

  it('checks events: a malformed one is an Error naming the field, never a throw', () => {
    const good = decodeJson(PresenceEvent, encodeJson({ t: 'joined', n: 1, peer: peer(1, 'alice'), instance: 'i' }));
    assert.ok(!(good instanceof Error));
    const bad = decodeJson(PresenceEvent, encodeJson({ t: 'joined', n: -1, peer: peer(1, 'alice'), instance: 'i' }));
    assert.ok(bad instanceof Error);
    assert.match(bad.message, /^n:/);
    assert.ok(decodeJson(PresenceEvent, Buffer.from('not json')) instanceof Error);
  });
});
