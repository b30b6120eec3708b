import { strict as assert } from 'node:assert';
import { PresenceState } from '../../../../src/net/client/teamClient';
import { ErrorCode } from '../../../../src/net/protocol/errors';
import { generateIdentity } from '../../../../src/net/identity';
import { PeerInfo, Welcome } from '../../../../src/net/protocol/messages';
import { Roster } from '../../../../src/net/client/roster';
import { Relay } from '../../../../src/server/relay';
import {
  TcpProxy,
  TestClient,
  TestRelayOptions,
  connectClient,
  createClient,
  rejectsWithCode,
  startRelay,
  useCleanup,
  waitForEvent,
  waitUntil,
  withTimeout,
} from '../../helpers/loopback';

const ALICE = 'A'.repeat(22);
const BOB = 'B'.repeat(22);
const CAROL = 'C'.repeat(22);
const SELF = 'S'.repeat(22);

function peer(id: number, clientId: string, name: string): PeerInfo {
  return { id, clientId, name, machine: 'm', address: '127.0.0.1:1', status: 'online', since: 1 };
}

function welcome(fields: Partial<Welcome>): Welcome {
  return {
    t: 'welcome',
    id: 1,
    clientId: SELF,
    epoch: 'e',
    seq: 0,
    peers: [],
    known: [],
    pingIntervalMs: 1000,
    idleTimeoutMs: 5000,
    maxPayload: 1 << 20,
    ...fields,
  };
}

describe('Roster (the client side of presence)', function () {
  it('a welcome without a presence mode (an older relay) is full presence, the count from the roster', function () {
    const r = new Roster();
    r.welcome(welcome({ peers: [peer(2, ALICE, 'alice'), peer(3, ALICE, 'alice'), peer(4, BOB, 'bob'), peer(5, SELF, 'me elsewhere')] }));
    assert.equal(r.mode, 'full');
    assert.equal(r.online, 3, 'alice, bob and this identity');
    r.joined(peer(6, CAROL, 'carol'));
    assert.equal(r.online, 4);
    r.left(6, CAROL);
    assert.equal(r.online, 3);
    assert.equal(r.known.get(CAROL)?.name, 'carol');
  });

  it('switching to watched keeps only the watched; switching back takes the relay roster, without this connection', function () {
    const r = new Roster();
    r.watch([BOB]);
    r.welcome(
      welcome({
        presence: 'full',
        online: 3,
        peers: [peer(2, ALICE, 'alice'), peer(4, BOB, 'bob')],
        known: [{ clientId: CAROL, name: 'carol', machine: '', lastSeen: 1 }],
      }),
    );
    assert.equal(r.presence({ t: 'presence', mode: 'watched', online: 1500 }), true);
    assert.deepEqual([...r.peers.keys()], [4]);
    assert.deepEqual([...r.known.keys()], []);
    assert.equal(r.online, 1500, "in watched presence the count is the relay's");
    assert.equal(r.presence({ t: 'presence', mode: 'watched', online: 1499 }), false);
    assert.equal(r.online, 1499);
    r.watching({ t: 'watching', peers: [peer(9, CAROL, 'carol')], known: [{ clientId: ALICE, name: 'alice', machine: '', lastSeen: 2 }] });
    assert.deepEqual([...r.peers.keys()].sort(), [4, 9]);
    assert.deepEqual([...r.known.keys()], [ALICE]);
    assert.equal(r.presence({ t: 'presence', mode: 'full', online: 2, peers: [peer(1, SELF, 'me'), peer(2, ALICE, 'alice')] }), true);
    assert.deepEqual([...r.peers.keys()], [2], 'the roster is replaced, and this connection is not a peer');
    assert.equal(r.known.has(ALICE), false, 'an online identity is not also offline');
    assert.equal(r.online, 2);
  });

  it('un-watching someone in watched presence drops them', function () {
    const r = new Roster();
    r.welcome(
      welcome({ presence: 'watched', online: 2000, peers: [peer(4, BOB, 'bob')], known: [{ clientId: CAROL, name: 'carol', machine: '', lastSeen: 1 }] }),
    );
    r.watch([CAROL]);
    assert.equal(r.peers.size, 0);
    assert.deepEqual([...r.known.keys()], [CAROL]);
  });
});

describe('TeamClient on a big relay (watched presence)', function () {
  const cleanup = useCleanup();

  async function relayWith(options: TestRelayOptions): Promise<{ relay: Relay; port: number }> {
    const relay = await startRelay(cleanup, { presenceIntervalMs: 60_000, ...options });
    return { relay, port: relay.address().port };
  }

  async function gone(relay: Relay, client: TestClient): Promise<void> {
    const before = relay.clientCount;
    await client.close();
    await waitUntil(() => relay.clientCount < before, relay, ['peer-left'], `${client.name} to be gone`);
  }

  it('prunes its roster to the watched on the switch, follows the count, and takes the whole roster on the way back', async function () {
    const { relay, port } = await relayWith({ fullPresenceLimit: 4, presenceIntervalMs: 50 });
    const bobId = generateIdentity();
    const alice = await connectClient(cleanup, port, { name: 'alice', watch: [bobId.clientId] });
    const watcherless = await connectClient(cleanup, port, { name: 'watcherless' });
    const bob = await connectClient(cleanup, port, { name: 'bob', identity: bobId });
    const carol = await connectClient(cleanup, port, { name: 'carol' });
    await Promise.all([alice, watcherless].map((c) => waitUntil(() => c.peers.size === 3, c, ['peer-joined'], `${c.name} to see everyone in full presence`)));
    assert.equal(alice.presenceMode, 'full');
    assert.equal(alice.onlineCount, 4);

    const switched = waitForEvent<PresenceState>(watcherless, 'presence', (p) => p.switched, 'the switch');
    const dave = await connectClient(cleanup, port, { name: 'dave' });
    assert.equal(dave.presenceMode, 'watched');
    assert.equal(dave.onlineCount, 5);
    assert.equal(dave.peers.size, 0, 'dave watches nobody');
    assert.deepEqual(await switched, { mode: 'watched', online: 5, switched: true });
    await waitUntil(() => alice.presenceMode === 'watched', alice, ['presence'], 'alice told of the switch');
    assert.deepEqual(
      [...alice.peers.values()].map((p) => p.name),
      ['bob'],
      'alice keeps only whom she watches',
    );
    assert.equal(watcherless.peers.size, 0);

    await gone(relay, dave);
    await gone(relay, carol);
    await waitUntil(() => watcherless.onlineCount === 3, watcherless, ['presence'], 'the count of 3');
    assert.equal(watcherless.presenceMode, 'watched', 'still watched at 3 (back only at 2)');
    await gone(relay, alice);
    await waitUntil(() => watcherless.presenceMode === 'full', watcherless, ['presence'], 'the switch back');
    assert.deepEqual(
      [...watcherless.peers.values()].map((p) => [p.name, p.id]),
      [['bob', bob.self?.id]],
      'the whole roster again, without itself',
    );
    assert.equal(watcherless.onlineCount, 2);
  });

  it('watch() merges the answer into the roster and hears of the watched only; the set survives reconnects', async function () {
    const { port } = await relayWith({ fullPresenceLimit: 1 });
    const proxy = await TcpProxy.start(cleanup, port);
    const carolId = generateIdentity();
    const bobId = generateIdentity();
    const alice = await connectClient(cleanup, proxy.port, { name: 'alice', watch: [bobId.clientId] });
    await connectClient(cleanup, port, { name: 'filler' });
    const carol = await connectClient(cleanup, port, { name: 'carol', identity: carolId });
    await waitUntil(() => alice.presenceMode === 'watched', alice, ['presence'], 'the switch');
    assert.equal(
      [...alice.peers.values()].some((p) => p.name === 'carol'),
      false,
      'carol is not watched',
    );

    await withTimeout(alice.watch([bobId.clientId, carolId.clientId]), 'the watch answer');
    assert.deepEqual(
      [...alice.peers.values()].map((p) => p.name),
      ['carol'],
      'the answer put carol in the roster',
    );
    assert.equal(alice.events['peer-joined'].length, 0, 'a watch answer is not a join');

    // Reconnect: the hello carries the set, so the relay still tells alice about bob and carol.
    const welcomes = alice.events.welcome.length;
    proxy.cutAll();
    await waitUntil(() => alice.events.welcome.length > welcomes, alice, ['welcome'], 'alice to reconnect');
    assert.deepEqual(
      [...alice.peers.values()].map((p) => p.name),
      ['carol'],
      'the welcome lists the watched online',
    );
    await connectClient(cleanup, port, { name: 'bob', identity: bobId });
    await alice.waitFor('peer-joined', (p) => p.clientId === bobId.clientId, 'alice told bob joined, after reconnecting');
    await carol.close();
    await alice.waitFor('peer-left', (l) => l.clientId === carolId.clientId, 'alice told carol left');
    assert.equal(alice.known.get(carolId.clientId)?.name, 'carol');
  });

  it('watch() while disconnected goes with the next hello, and resolves at that welcome', async function () {
    const { port } = await relayWith({ fullPresenceLimit: 1 });
    const proxy = await TcpProxy.start(cleanup, port);
    const alice = await connectClient(cleanup, proxy.port, { name: 'alice' });
    await connectClient(cleanup, port, { name: 'filler' });
    await waitUntil(() => alice.presenceMode === 'watched', alice, ['presence'], 'the switch');
    proxy.refusing = true;
    proxy.cutAll();
    await alice.waitFor('state', (s) => s === 'reconnecting');
    const bobId = generateIdentity();
    const watched = alice.watch([bobId.clientId]);
    await connectClient(cleanup, port, { name: 'bob', identity: bobId });
    proxy.refusing = false;
    await withTimeout(watched, 'the watch to be settled by the next welcome');
    assert.deepEqual(
      [...alice.peers.values()].map((p) => p.name),
      ['bob'],
      'the welcome listed bob: the hello carried him',
    );
  });

  it('who() answers from the relay, refuses bad queries, and times out with a typed error', async function () {
    const { port } = await relayWith({ fullPresenceLimit: 1 });
    const proxy = await TcpProxy.start(cleanup, port);
    const alice = await connectClient(cleanup, proxy.port, { name: 'alice' });
    await connectClient(cleanup, port, { name: 'Bobby', machine: 'bob-laptop' });
    await connectClient(cleanup, port, { name: 'robert', machine: 'BOB-desktop' });
    const found = await alice.who('bob');
    assert.deepEqual(found.peers.map((p) => p.name).sort(), ['Bobby', 'robert']);
    assert.equal(found.more, false);
    const one = await alice.who('bob', 1);
    assert.equal(one.peers.length, 1);
    assert.equal(one.more, true);
    await rejectsWithCode(alice.who(''), ErrorCode.BadMessage, 'an empty search');
    await rejectsWithCode(alice.who('x'.repeat(101)), ErrorCode.BadMessage, 'a search of 101 characters');
    await rejectsWithCode(alice.who('x', 0), ErrorCode.BadMessage, 'a limit of 0');
    proxy.swallowDownstream = true;
    await rejectsWithCode(alice.who('bob', 10, 200), ErrorCode.IdleTimeout, 'a search nobody answers');
  });

  it('resolvePeer() asks the relay for a peer missing from the roster, then watches it', async function () {
    const { port } = await relayWith({ fullPresenceLimit: 1 });
    const alice = await connectClient(cleanup, port, { name: 'alice' });
    const bob = await connectClient(cleanup, port, { name: 'bob', machine: 'bob-box' });
    await connectClient(cleanup, port, { name: 'bob', machine: 'other-box' });
    await connectClient(cleanup, port, { name: 'carol' });
    await waitUntil(() => alice.presenceMode === 'watched', alice, ['presence'], 'the switch');
    assert.equal(alice.peers.size, 0);

    const carolId = await alice.resolvePeer('carol');
    assert.ok(alice.watched.has(carolId), 'the peer found is watched from now on');
    assert.deepEqual(
      [...alice.peers.values()].map((p) => p.name),
      ['carol'],
      'and is in the roster',
    );
    await rejectsWithCode(alice.resolvePeer('bob'), ErrorCode.AmbiguousPeer, 'two bobs');
    assert.equal(await alice.resolvePeer('bob@bob-box'), bob.clientId);
    // Now one bob is watched: the roster answers first, as it would for anyone alice knows.
    assert.equal(await alice.resolvePeer('bob'), bob.clientId);
    await rejectsWithCode(alice.resolvePeer('nobody'), ErrorCode.NoSuchPeer, 'nobody');
    const ack = await alice.send([carolId], 'found you');
    assert.deepEqual(ack.online, [carolId]);
  });

  it('refuses a watch set the relay would refuse, before connecting', async function () {
    const { port } = await relayWith({});
    assert.throws(
      () => createClient(cleanup, port, { name: 'x', watch: ['not an id'] }),
      (err: Error & { code?: string }) => err.code === ErrorCode.BadMessage,
    );
    const ids = Array.from({ length: 1001 }, () => generateIdentity().clientId);
    assert.throws(
      () => createClient(cleanup, port, { name: 'y', watch: ids }),
      (err: Error & { code?: string }) => err.code === ErrorCode.TooLarge,
    );
    const ok = await connectClient(cleanup, port, { name: 'z' });
    await rejectsWithCode(ok.watch(['nope']), ErrorCode.BadMessage, 'a bad id');
    await withTimeout(ok.watch(ids.slice(0, 1000)), 'a watch of 1000 ids');
    assert.equal(ok.watched.size, 1000);
  });
});
