import { strict as assert } from 'node:assert';
import { KnownPeer, PeerInfo } from '../../../src/net/protocol/messages';
import { ConversationStore } from '../../../src/model/conversationStore';
import { foundPeerRows } from '../../../src/model/foundPeers';
import { MAX_FOUND, rememberFound, sameWatch, watchListFor } from '../../../src/model/watchSet';

const SELF = 'S'.repeat(22);
const A = 'A'.repeat(22);
const B = 'B'.repeat(22);
const C = 'C'.repeat(22);
const D = 'D'.repeat(22);
const id = (n: number) => `peer_${String(n).padStart(17, '0')}`;

describe('the watch set on a big relay', function () {
  it('is the members of the conversations, most recent first, then the peers found, without the user', function () {
    assert.deepEqual(watchListFor([[A, B], [], [B, C]], [D, A, SELF], SELF), [A, B, C, D]);
    assert.deepEqual(watchListFor([[SELF, A]], [], SELF), [A]);
  });

  it('is bounded: the least recent fall off first', function () {
    const members = Array.from({ length: 8 }, (_, i) => [id(i)]);
    assert.deepEqual(watchListFor(members, [id(100)], SELF, 3), [id(0), id(1), id(2)]);
    assert.equal(watchListFor([Array.from({ length: 1500 }, (_, i) => id(i))], [], SELF).length, 1000);
  });

  it("follows the store's conversations (groups too), most recently active first", function () {
    const store = new ConversationStore({ selfId: SELF });
    store.ensure(`peer:${A}`, 100);
    store.ensure(`group:${[B, C].sort().join(',')}`, 300);
    assert.deepEqual(watchListFor(store.membersByActivity(), [], SELF), [B, C, A]);
  });

  it('compares as a set, and remembers found peers newest first, bounded', function () {
    assert.equal(sameWatch([A, B], new Set([B, A])), true);
    assert.equal(sameWatch([A], new Set([A, B])), false);
    assert.equal(sameWatch([A, C], new Set([A, B])), false);
    assert.deepEqual(rememberFound([A, B], [B, C]), [B, C, A]);
    const many = Array.from({ length: MAX_FOUND }, (_, i) => id(i));
    const after = rememberFound(many, [id(999)]);
    assert.equal(after.length, MAX_FOUND);
    assert.equal(after[0], id(999));
    assert.equal(after.includes(id(MAX_FOUND - 1)), false, 'the oldest found is forgotten');
  });
});

describe('foundPeerRows', function () {
  const NOW = new Date(2024, 5, 15, 14, 30, 0).getTime();
  const peer = (clientId: string, name: string, fields: Partial<PeerInfo> = {}): PeerInfo => ({
    id: 1,
    clientId,
    name,
    machine: 'box',
    address: 'x',
    status: 'online',
    since: 0,
    ...fields,
  });
  const known = (clientId: string, name: string): KnownPeer => ({ clientId, name, machine: 'old-box', lastSeen: NOW - 2 * 3_600_000 });

  it('lists online people first, then offline ones with when they were last seen, never the user, each once', function () {
    const rows = foundPeerRows(
      {
        peers: [peer(A, 'alice'), peer(SELF, 'me'), peer(B, '<b>bob</b>', { status: 'busy', machine: '' })],
        known: [known(C, 'carol'), known(A, 'alice')],
        more: false,
      },
      SELF,
      NOW,
    );
    assert.deepEqual(rows, [
      { clientId: A, name: 'alice', description: 'box', online: true },
      { clientId: B, name: '<b>bob</b>', description: 'busy', online: true },
      { clientId: C, name: 'carol', description: 'old-box · offline · last seen 2 h ago', online: false },
    ]);
  });
});
