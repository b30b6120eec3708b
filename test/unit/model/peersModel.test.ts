import { strict as assert } from 'node:assert';
import { KnownPeer, PeerInfo } from '../../../src/net/protocol/messages';
import { PeerNodesInput, PeersViewInput, badgeFor, buildPeerNodes, buildPeersView, describeLastSeen } from '../../../src/model/peersModel';

const SELF = 'S'.repeat(22);
const ALICE = 'A'.repeat(22);
const BOB = 'B'.repeat(22);
const CAROL = 'C'.repeat(22);
const DAVE = 'D'.repeat(22);
const ERIN = 'E'.repeat(22);
const NOW = new Date(2024, 5, 15, 14, 30, 0).getTime(); // local time, whatever the zone
const MIN = 60_000;
const HOUR = 60 * MIN;

let nextId = 1;

function peer(fields: Partial<PeerInfo> & { clientId: string; name: string }): PeerInfo {
  return { id: nextId++, machine: 'laptop', address: '10.0.0.1', status: 'online', since: NOW - 10 * MIN, ...fields };
}

function known(fields: Partial<KnownPeer> & { clientId: string; name: string }): KnownPeer {
  return { machine: 'laptop', lastSeen: NOW - HOUR, ...fields };
}

function build(fields: Partial<PeerNodesInput>) {
  return buildPeerNodes({ online: [], known: [], selfId: SELF, unreadByConversation: () => 0, now: NOW, ...fields });
}

describe('peersModel', function () {
  describe('buildPeerNodes', function () {
    it('lists online people by name, then offline ones by last seen (#general is in the Channels section)', function () {
      const nodes = build({
        online: [peer({ clientId: BOB, name: 'bob' }), peer({ clientId: ALICE, name: 'Alice' }), peer({ clientId: CAROL, name: 'carol', status: 'away' })],
        known: [known({ clientId: DAVE, name: 'dave', lastSeen: NOW - 2 * HOUR }), known({ clientId: ERIN, name: 'Erin', lastSeen: NOW - 5 * MIN })],
      });
      assert.deepEqual(
        nodes.map((n) => [n.kind, n.label, n.status]),
        [
          ['peer', 'Alice', 'online'],
          ['peer', 'bob', 'online'],
          ['peer', 'carol', 'away'],
          ['peer', 'Erin', 'offline'],
          ['peer', 'dave', 'offline'],
        ],
      );
      assert.equal(nodes[0].conversationId, `peer:${ALICE}`);
      assert.equal(nodes[0].description, 'laptop');
      assert.equal(nodes[2].description, 'laptop · away');
      assert.equal(nodes[3].description, 'offline · last seen 5 min ago');
      assert.equal(nodes[4].description, 'offline · last seen 2 h ago');
      assert.equal(nodes[4].sessions, 0);
    });

    it('sorts names case-insensitively and numbers naturally', function () {
      const nodes = build({
        online: [
          peer({ clientId: ALICE, name: 'dev10' }),
          peer({ clientId: BOB, name: 'Dev2' }),
          peer({ clientId: CAROL, name: 'dev1' }),
          peer({ clientId: DAVE, name: 'Émile' }),
          peer({ clientId: ERIN, name: 'emma' }),
        ],
      });
      assert.deepEqual(
        nodes.map((n) => n.label),
        ['dev1', 'Dev2', 'dev10', 'Émile', 'emma'],
      );
    });

    it('never shows the user, online or offline', function () {
      const nodes = build({
        online: [peer({ clientId: SELF, name: 'me' }), peer({ clientId: ALICE, name: 'alice' })],
        known: [known({ clientId: SELF, name: 'me' })],
      });
      assert.deepEqual(
        nodes.map((n) => n.clientId),
        [ALICE],
      );
    });

    it('merges the connections of one identity into one node', function () {
      const nodes = build({
        online: [
          peer({ clientId: ALICE, name: 'alice', machine: 'laptop', address: '10.0.0.1', status: 'away', since: NOW - 3 * HOUR, rtt: 40 }),
          peer({ clientId: ALICE, name: 'alice (desk)', machine: 'desktop', address: '10.0.0.2', status: 'online', since: NOW - HOUR, rtt: 12 }),
          peer({ clientId: ALICE, name: 'alice old', machine: 'laptop', address: '10.0.0.1', status: 'busy', since: NOW - 2 * HOUR }),
        ],
        known: [known({ clientId: ALICE, name: 'alice', lastSeen: NOW - 1000 })],
      });
      assert.equal(nodes.length, 1, 'one node, and not listed offline as well');
      const alice = nodes[0];
      assert.equal(alice.sessions, 3);
      assert.equal(alice.status, 'online', 'the best status of them');
      assert.equal(alice.label, 'alice (desk)', 'the newest connection names it');
      assert.equal(alice.description, 'laptop, desktop');
      assert.match(alice.tooltip, /^Address: 10\.0\.0\.1, 10\.0\.0\.2$/m);
      assert.match(alice.tooltip, /^Round trip: 12 ms$/m);
      assert.match(alice.tooltip, /^Status: online \(3 connections\)$/m);
      assert.match(alice.tooltip, /^Connected since: \d\d:\d\d \(3 h ago\)$/m, 'since the first connection');
    });

    it('prefers busy to away when no connection is online', function () {
      const nodes = build({
        online: [peer({ clientId: ALICE, name: 'alice', status: 'away' }), peer({ clientId: ALICE, name: 'alice', status: 'busy' })],
      });
      assert.equal(nodes[0].status, 'busy');
    });

    it('tells people with the same name apart by machine', function () {
      const nodes = build({
        online: [peer({ clientId: ALICE, name: 'sam', machine: 'laptop' }), peer({ clientId: BOB, name: 'Sam', machine: 'desktop' })],
        known: [known({ clientId: CAROL, name: 'sam', machine: 'build-box', lastSeen: NOW - 5 * MIN }), known({ clientId: DAVE, name: 'dave', machine: 'pc' })],
      });
      const byId = new Map(nodes.map((n) => [n.clientId, n]));
      assert.equal(byId.get(ALICE)!.description, 'laptop');
      assert.equal(byId.get(BOB)!.description, 'desktop');
      assert.equal(byId.get(CAROL)!.description, 'build-box · offline · last seen 5 min ago');
      assert.equal(byId.get(DAVE)!.description, 'offline · last seen 1 h ago', 'a unique name needs no machine');
      // Sorted by machine when the names compare equal.
      assert.deepEqual(
        nodes.slice(0, 2).map((n) => n.clientId),
        [BOB, ALICE],
      );
    });

    it('falls back to the client id when name and machine are the same', function () {
      const nodes = build({
        online: [peer({ clientId: ALICE, name: 'sam' }), peer({ clientId: BOB, name: 'sam' })],
        known: [known({ clientId: CAROL, name: 'x', machine: 'm' }), known({ clientId: DAVE, name: 'x', machine: 'm', lastSeen: NOW - 2 * HOUR })],
      });
      assert.deepEqual(
        nodes.map((n) => n.description),
        ['laptop · #AAAAAA', 'laptop · #BBBBBB', 'm · #CCCCCC · offline · last seen 1 h ago', 'm · #DDDDDD · offline · last seen 2 h ago'],
      );
    });

    it('tells a peer using your own display name apart from you', function () {
      const nodes = build({
        selfName: 'Alice',
        online: [peer({ clientId: ALICE, name: 'alice', machine: 'build-7' }), peer({ clientId: BOB, name: 'bob', machine: 'pc' })],
        known: [known({ clientId: CAROL, name: 'ALICE', machine: 'old-laptop', lastSeen: NOW - 5 * MIN })],
      });
      const byId = new Map(nodes.map((n) => [n.clientId, n]));
      assert.equal(byId.get(ALICE)!.label, 'alice');
      assert.equal(byId.get(ALICE)!.description, 'another alice on build-7');
      assert.match(byId.get(ALICE)!.tooltip, /^Not you: another identity with your display name$/m);
      assert.equal(byId.get(BOB)!.description, 'pc');
      assert.equal(byId.get(CAROL)!.description, 'another ALICE on old-laptop · offline · last seen 5 min ago');
      assert.equal(build({ online: [peer({ clientId: ALICE, name: 'alice' })] })[0].description, 'laptop', 'without the own name, as before');
    });

    it('lists an offline identity once, with its latest sighting', function () {
      const nodes = build({
        known: [known({ clientId: ALICE, name: 'alice', lastSeen: NOW - 3 * HOUR }), known({ clientId: ALICE, name: 'alice', lastSeen: NOW - 2 * MIN })],
      });
      assert.equal(nodes.length, 1);
      assert.equal(nodes[0].description, 'offline · last seen 2 min ago');
    });

    it('shows unread counts and measured round trips', function () {
      const unread = new Map([
        ['all', 4],
        [`peer:${ALICE}`, 2],
        [`peer:${BOB}`, 7],
      ]);
      const nodes = build({
        online: [peer({ clientId: ALICE, name: 'alice', rtt: 80 })],
        known: [known({ clientId: BOB, name: 'bob' })],
        unreadByConversation: (id) => unread.get(id) ?? 0,
        rttByClient: new Map([[ALICE, 3.4]]),
      });
      assert.deepEqual(
        nodes.map((n) => n.unread),
        [2, 7],
      );
      assert.match(nodes[0].tooltip, /^Round trip: 3 ms$/m);
      assert.doesNotMatch(nodes[1].tooltip, /Round trip/);
    });

    it('writes a plain-text tooltip', function () {
      const nodes = build({
        online: [peer({ clientId: ALICE, name: 'alice', machine: 'laptop', address: '192.168.1.5', status: 'busy', since: NOW - 5 * MIN })],
        known: [known({ clientId: BOB, name: 'bob', machine: 'pc', lastSeen: NOW - 30 * MIN })],
      });
      const since = new Date(NOW - 5 * MIN);
      const clock = `${String(since.getHours()).padStart(2, '0')}:${String(since.getMinutes()).padStart(2, '0')}`;
      assert.equal(
        nodes[0].tooltip,
        ['alice', 'Machine: laptop', 'Address: 192.168.1.5', 'Status: busy', `Connected since: ${clock} (5 min ago)`, `Client id: ${ALICE}`].join('\n'),
      );
      assert.equal(nodes[1].tooltip, ['bob', 'Machine: pc', 'Status: offline, last seen 30 min ago', `Client id: ${BOB}`].join('\n'));
    });

    it('keeps hostile names and machines as plain strings', function () {
      const name = '<img src=x onerror=alert(1)>';
      const machine = '$(zap) <b>box</b> &amp;';
      const nodes = build({
        online: [peer({ clientId: ALICE, name, machine })],
        known: [known({ clientId: BOB, name: '__proto__', machine: 'constructor' })],
      });
      // Shown as their characters: only the invisible joiner that makes `$(zap)` no icon is added.
      const visible = (text: string) => text.replace(/\u2060/g, '');
      assert.equal(visible(nodes[0].label), name);
      assert.equal(visible(nodes[0].description), machine);
      assert.ok(!nodes[0].description.includes('$('), 'no icon syntax left');
      assert.ok(visible(nodes[0].tooltip).startsWith(`${name}\nMachine: ${machine}\n`));
      assert.equal(nodes[1].label, '__proto__');
    });

    it('lists nobody when nobody else is around', function () {
      assert.deepEqual(build({}), []);
      assert.deepEqual(build({ online: [peer({ clientId: SELF, name: 'me' })] }), [], 'the user on another machine is not a peer');
    });
  });

  describe('buildPeersView', function () {
    function view(fields: Partial<PeersViewInput>) {
      return buildPeersView({ online: [], known: [], selfId: SELF, unreadByConversation: () => 0, now: NOW, ...fields });
    }

    it('with full presence (a small team) is exactly the nodes of before', function () {
      const input = {
        online: [peer({ clientId: ALICE, name: 'alice' }), peer({ clientId: BOB, name: 'bob' })],
        known: [known({ clientId: CAROL, name: 'carol' })],
      };
      assert.deepEqual(view(input), build(input));
      assert.deepEqual(view({ ...input, presence: { mode: 'full', online: 3 }, watched: new Set([ALICE]) }), build(input), 'the watch set changes nothing');
    });

    it('with watched presence lists the count with Find Peer, then only the watched people', function () {
      const nodes = view({
        presence: { mode: 'watched', online: 10_234 },
        watched: new Set([ALICE, CAROL, DAVE]),
        // The roster may still hold others (the welcome's recently seen): they are not listed.
        online: [peer({ clientId: ALICE, name: 'alice' }), peer({ clientId: BOB, name: 'bob' })],
        known: [known({ clientId: CAROL, name: 'carol' }), known({ clientId: ERIN, name: 'erin' })],
      });
      assert.deepEqual(
        nodes.map((n) => [n.kind, n.label]),
        [
          ['find', '10233 online — Find Peer…'],
          ['peer', 'alice'],
          ['peer', 'carol'],
        ],
      );
      const [find] = nodes;
      assert.ok(find.kind === 'find');
      assert.equal(find.online, 10_233, "the relay's count, not the roster's");
      assert.match(find.tooltip, /^10233 people online besides you$/m);
      assert.match(find.tooltip, /Find anyone else/);
      assert.ok(nodes[2].kind === 'peer' && nodes[2].status === 'offline', 'a watched offline person is listed greyed');
    });

    it('with watched presence and nobody watched shows just Find Peer, and never a negative count', function () {
      const nodes = view({ presence: { mode: 'watched', online: 0 }, online: [peer({ clientId: ALICE, name: 'alice' })] });
      assert.deepEqual(
        nodes.map((n) => n.kind),
        ['find'],
      );
      assert.equal(nodes[0].label, '0 online — Find Peer…');
    });

    it('keeps unread counts of watched conversations', function () {
      const nodes = view({
        presence: { mode: 'watched', online: 2000 },
        watched: new Set([ALICE]),
        online: [peer({ clientId: ALICE, name: 'alice' })],
        unreadByConversation: (id) => (id === `peer:${ALICE}` ? 3 : id === 'all' ? 1 : 0),
      });
      assert.deepEqual(
        nodes.map((n) => (n.kind === 'find' ? 'find' : n.unread)),
        ['find', 3],
      );
    });
  });

  describe('describeLastSeen', function () {
    it('says how long ago in words', function () {
      assert.equal(describeLastSeen(NOW, NOW), 'just now');
      assert.equal(describeLastSeen(NOW - 59_999, NOW), 'just now');
      assert.equal(describeLastSeen(NOW + 5 * MIN, NOW), 'just now', 'clock skew');
      assert.equal(describeLastSeen(NOW - MIN, NOW), '1 min ago');
      assert.equal(describeLastSeen(NOW - 5 * MIN - 30_000, NOW), '5 min ago');
      assert.equal(describeLastSeen(NOW - 59 * MIN, NOW), '59 min ago');
      assert.equal(describeLastSeen(NOW - HOUR, NOW), '1 h ago');
      assert.equal(describeLastSeen(NOW - 3 * HOUR - 59 * MIN, NOW), '3 h ago');
      assert.equal(describeLastSeen(NOW - 23 * HOUR, NOW), '23 h ago');
      assert.equal(describeLastSeen(NaN, NOW), 'just now');
    });

    it('says yesterday for the previous day, then the date', function () {
      const yesterdayMorning = new Date(2024, 5, 14, 9, 0).getTime();
      assert.equal(describeLastSeen(yesterdayMorning, NOW), 'yesterday');
      const twoDaysAgo = new Date(2024, 5, 13, 23, 0).getTime();
      assert.equal(describeLastSeen(twoDaysAgo, NOW), '2024-06-13');
      assert.equal(describeLastSeen(new Date(2023, 0, 2, 8, 0).getTime(), NOW), '2023-01-02');
      // Just after midnight, 25 h ago is two calendar days back.
      const earlyMorning = new Date(2024, 5, 15, 0, 30).getTime();
      assert.equal(describeLastSeen(earlyMorning - 25 * HOUR, earlyMorning), '2024-06-13');
      // Across a month boundary.
      assert.equal(describeLastSeen(new Date(2024, 4, 31, 12, 0).getTime(), new Date(2024, 5, 1, 18, 0).getTime()), 'yesterday');
    });
  });

  describe('badgeFor', function () {
    it('has no badge without unread messages', function () {
      assert.equal(badgeFor(0), undefined);
      assert.equal(badgeFor(-3), undefined);
      assert.equal(badgeFor(NaN), undefined);
    });

    it('counts unread messages', function () {
      assert.deepEqual(badgeFor(1), { value: 1, tooltip: '1 unread message' });
      assert.deepEqual(badgeFor(12), { value: 12, tooltip: '12 unread messages' });
    });
  });
});
