import { strict as assert } from 'node:assert';
import { MAX_OFFLINE_LISTED, pickablePeers } from '../../../src/model/pickablePeers';

const SELF = 'S'.repeat(22);
const BOB = 'B'.repeat(22);
const CAROL = 'C'.repeat(22);
const DAVE = 'D'.repeat(22);
const NOW = Date.UTC(2026, 0, 10, 12, 0, 0);

describe('pickablePeers (whom a people picker lists)', function () {
  const online = [
    { clientId: CAROL, name: 'carol', machines: ['laptop'] },
    { clientId: BOB, name: 'alice', machines: ['desktop', 'laptop'] },
    { clientId: SELF, name: 'alice', machines: ['here'] },
  ];
  const known = [
    { clientId: DAVE, name: 'dave', machine: 'pc', lastSeen: NOW - 5 * 60_000 },
    { clientId: DAVE, name: 'dave', machine: 'old-pc', lastSeen: NOW - 86_400_000 * 3 },
    { clientId: 'E'.repeat(22), name: 'erin', machine: 'mac', lastSeen: NOW - 2 * 3_600_000 },
    { clientId: CAROL, name: 'carol', machine: 'laptop', lastSeen: NOW - 60_000 },
    { clientId: SELF, name: 'alice', machine: 'here', lastSeen: NOW - 60_000 },
  ];

  it('lists the people online by name, never the user, a namesake told apart', function () {
    const peers = pickablePeers({ online, known, selfId: SELF, selfName: 'alice', includeOffline: false, now: NOW });
    assert.deepEqual(
      peers.map((p) => [p.name, p.online, p.description]),
      [
        ['alice', true, 'another alice on desktop, laptop'],
        ['carol', true, 'laptop'],
      ],
    );
  });

  it('adds the people offline now when asked, most recently seen first, each once', function () {
    const peers = pickablePeers({ online, known, selfId: SELF, selfName: 'alice', includeOffline: true, now: NOW });
    assert.deepEqual(
      peers.map((p) => [p.clientId, p.online, p.description]),
      [
        [BOB, true, 'another alice on desktop, laptop'],
        [CAROL, true, 'laptop'],
        [DAVE, false, 'offline · last seen 5 min ago'],
        ['E'.repeat(22), false, 'offline · last seen 2 h ago'],
      ],
    );
  });

  it('lists at most MAX_OFFLINE_LISTED offline people, the newest seen', function () {
    const many = Array.from({ length: MAX_OFFLINE_LISTED + 10 }, (_, i) => ({
      clientId: `K${String(i).padStart(21, '0')}`,
      name: `k${i}`,
      machine: 'm',
      lastSeen: NOW - i * 1000,
    }));
    const peers = pickablePeers({ online: [], known: many, selfId: SELF, selfName: 'alice', includeOffline: true, now: NOW });
    assert.equal(peers.length, MAX_OFFLINE_LISTED);
    assert.equal(peers[0].name, 'k0');
    assert.equal(peers.at(-1)!.name, `k${MAX_OFFLINE_LISTED - 1}`);
  });
});
