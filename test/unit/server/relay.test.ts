import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { ErrorCode, TeamMessengerError } from '../../../src/net/protocol/errors';
import { FrameKind, encodeFrame } from '../../../src/net/protocol/frame';
import { Identity, generateIdentity } from '../../../src/net/identity';
import { PROTOCOL_VERSION, PeerInfo } from '../../../src/net/protocol/messages';
import {
  HOST,
  RawClient,
  SECRET,
  TcpProxy,
  TestClient,
  TestRelayOptions,
  connectClient,
  createClient,
  decodeRelayStream,
  rejectsWithCode,
  seededBytes,
  sendAndAck,
  sleep,
  startRelay,
  useCleanup,
  waitUntil,
  withTimeout,
} from '../helpers/loopback';
import { holdings, until } from '../helpers/security';

/** What the kernel can hold between the relay and a paused reader, at most (send + receive buffers). */
function kernelSocketBuffers(): number {
  const maxOf = (file: string, fallback: number) => {
    try {
      return Number(fs.readFileSync(file, 'utf8').trim().split(/\s+/).pop()) || fallback;
    } catch {
      return fallback;
    }
  };
  return maxOf('/proc/sys/net/ipv4/tcp_wmem', 8 << 20) + maxOf('/proc/sys/net/ipv4/tcp_rmem', 8 << 20);
}

/** Peers in `client`'s roster with this identity. */
function rosterEntries(client: TestClient, clientId: string): PeerInfo[] {
  return [...client.peers.values()].filter((p) => p.clientId === clientId);
}

/** An identity that has the public key of `victim` but cannot sign for it. */
function publicPartOf(victim: Identity): Identity {
  return {
    clientId: victim.clientId,
    publicKey: victim.publicKey,
    sign: () => {
      throw new Error('the impostor does not have the private key');
    },
    exportPrivateKey: () => {
      throw new Error('the impostor does not have the private key');
    },
  };
}

/**
 * Everything `sender` might have routed to `receiver` before this call has arrived once this
 * resolves: the relay writes to a connection in order, so a later message is a barrier.
 */
async function barrier(sender: TestClient, receiver: TestClient, label: string): Promise<void> {
  const text = `barrier ${label} ${Math.random()}`;
  await sendAndAck(sender, [receiver.clientId], text);
  await receiver.waitForText(text);
}

describe('relay over loopback', function () {
  const cleanup = useCleanup();

  // ------------------------------------------------------------------------------------ roster

  describe('roster', function () {
    it("lists the peers already connected in a newcomer's welcome, with all their details", async function () {
      const relay = await startRelay(cleanup);
      const port = relay.address().port;
      const before = Date.now();
      const alice = await connectClient(cleanup, port, { name: 'alice', machine: 'alice-box' });
      const bob = await connectClient(cleanup, port, { name: 'bob', machine: 'bob-box', status: 'busy' });
      const carol = createClient(cleanup, port, { name: 'carol' });
      const welcome = await withTimeout(carol.connect(), 'carol to connect');
      const after = Date.now();

      assert.equal(welcome.peers.length, 2, `expected alice and bob in the roster, got ${JSON.stringify(welcome.peers)}`);
      const byName = new Map(welcome.peers.map((p) => [p.name, p]));
      const a = byName.get('alice');
      const b = byName.get('bob');
      assert.ok(a && b, 'alice and bob are both listed');
      assert.equal(a.id, alice.self?.id);
      assert.equal(a.clientId, alice.clientId);
      assert.equal(a.machine, 'alice-box');
      assert.equal(a.status, 'online');
      assert.equal(b.id, bob.self?.id);
      assert.equal(b.clientId, bob.clientId);
      assert.equal(b.machine, 'bob-box');
      assert.equal(b.status, 'busy');
      for (const p of [a, b]) {
        assert.match(p.address, /^(::ffff:)?127\.0\.0\.1:\d+$/, 'address is the peer as the relay sees it');
        assert.ok(p.since >= before - 5 && p.since <= after + 5, `since ${p.since} is when the peer connected`);
      }
      assert.notEqual(a.id, b.id, 'connection ids are unique');
      assert.ok(!welcome.peers.some((p) => p.id === welcome.id), 'the newcomer is not in its own roster');
      assert.equal(welcome.clientId, carol.clientId, 'the relay derived the same client id from the public key');
      assert.equal(carol.peers.size, 2);
      assert.equal(relay.clientCount, 3);
    });

    it('tells the peers already connected when someone joins', async function () {
      const relay = await startRelay(cleanup);
      const port = relay.address().port;
      const alice = await connectClient(cleanup, port, { name: 'alice' });
      const bob = await connectClient(cleanup, port, { name: 'bob' });
      const joinedAtAlice = await alice.waitFor('peer-joined', (p) => p.clientId === bob.clientId);
      assert.equal(joinedAtAlice.name, 'bob');
      assert.equal(joinedAtAlice.id, bob.self?.id);
      assert.equal(joinedAtAlice.machine, 'test-machine');
      assert.equal(alice.peers.get(bob.self!.id)?.clientId, bob.clientId, "bob is in alice's roster");
      const carol = await connectClient(cleanup, port, { name: 'carol' });
      await alice.waitFor('peer-joined', (p) => p.clientId === carol.clientId);
      await bob.waitFor('peer-joined', (p) => p.clientId === carol.clientId);
      assert.equal(
        bob.events['peer-joined'].filter((p) => p.clientId === alice.clientId).length,
        0,
        'bob learned about alice from his welcome, not from a join event',
      );
      assert.equal(carol.events['peer-joined'].length, 0, 'a newcomer gets no join events for itself');
    });

    it('reports a clean leave (close) and a dead leave (socket destroyed) to the others, with a reason', async function () {
      const relay = await startRelay(cleanup);
      const port = relay.address().port;
      const alice = await connectClient(cleanup, port, { name: 'alice' });
      const bob = await connectClient(cleanup, port, { name: 'bob' });
      const raw = await RawClient.connect(cleanup, port);
      await raw.handshake({ name: 'dave' });
      await alice.waitFor('peer-joined', (p) => p.clientId === raw.identity.clientId);
      assert.equal(relay.clientCount, 3);

      const bobId = bob.self!.id;
      await bob.close();
      const clean = await alice.waitFor('peer-left', (l) => l.clientId === bob.clientId, 'alice to see bob leave');
      assert.equal(clean.id, bobId);
      assert.equal(clean.name, 'bob');
      assert.ok(clean.reason.length > 0, 'a clean leave has a reason');
      assert.ok(!alice.peers.has(bobId), 'bob is no longer in the roster');
      assert.equal(alice.known.get(bob.clientId)?.name, 'bob', 'bob is now a known offline peer');

      raw.socket.destroy();
      const dead = await alice.waitFor('peer-left', (l) => l.clientId === raw.identity.clientId, 'alice to see dave vanish');
      assert.equal(dead.name, 'dave');
      assert.ok(dead.reason.length > 0, 'a dead leave has a reason');
      assert.notEqual(dead.reason, clean.reason, 'a vanished peer is not reported as having left cleanly');
      await waitUntil(() => relay.clientCount === 1, relay, ['peer-left'], 'the relay to count one client');
      assert.equal(alice.peers.size, 0);
    });
  });

  // ------------------------------------------------------------------------------------ routing

  describe('routing', function () {
    async function trio() {
      const relay = await startRelay(cleanup);
      const port = relay.address().port;
      const alice = await connectClient(cleanup, port, { name: 'alice' });
      const bob = await connectClient(cleanup, port, { name: 'bob' });
      const carol = await connectClient(cleanup, port, { name: 'carol' });
      return { relay, port, alice, bob, carol };
    }

    it('delivers a direct message to that peer only, and acks the sender with the same id and seq', async function () {
      const { alice, bob, carol } = await trio();
      const before = Date.now();
      const ack = await sendAndAck(alice, [bob.clientId], 'hello bob');
      const got = await bob.waitForText('hello bob');
      assert.equal(got.id, ack.id);
      assert.equal(got.seq, ack.seq);
      assert.equal(got.ts, ack.ts);
      assert.ok(got.ts >= before - 5 && got.ts <= Date.now() + 5, 'ts is the relay clock at receipt');
      assert.equal(got.from, alice.clientId);
      assert.equal(got.fromName, 'alice');
      assert.deepEqual(got.to, [bob.clientId]);
      assert.notEqual(got.replay, true, 'a live message is not a replay');
      assert.equal(ack.reached, 1);
      assert.deepEqual(ack.online, [bob.clientId]);
      assert.deepEqual(ack.offline, []);

      await barrier(alice, carol, 'carol');
      await barrier(bob, alice, 'alice');
      assert.equal(carol.received('hello bob').length, 0, 'carol did not receive a message for bob');
      assert.equal(alice.received('hello bob').length, 0, 'the sender does not receive its own message');
      assert.equal(bob.received('hello bob').length, 1, 'bob received it once');
    });

    it('delivers to several listed peers and reports them all online', async function () {
      const { relay, port, alice, bob, carol } = await trio();
      const dave = await connectClient(cleanup, port, { name: 'dave' });
      const ack = await sendAndAck(alice, [bob.clientId, carol.clientId], 'hello both');
      const [toBob, toCarol] = await Promise.all([bob.waitForText('hello both'), carol.waitForText('hello both')]);
      assert.equal(toBob.id, ack.id);
      assert.equal(toCarol.id, ack.id);
      assert.equal(toBob.seq, toCarol.seq);
      assert.equal(ack.reached, 2);
      assert.deepEqual([...ack.online].sort(), [bob.clientId, carol.clientId].sort());
      assert.deepEqual(ack.offline, []);
      await barrier(alice, dave, 'dave');
      assert.equal(dave.received('hello both').length, 0, 'dave was not addressed');
      assert.equal(relay.clientCount, 4);
    });

    it("delivers a message to 'all' to everyone but the sender", async function () {
      const { alice, bob, carol } = await trio();
      const ack = await sendAndAck(alice, 'all', 'hello everyone');
      const [b, c] = await Promise.all([bob.waitForText('hello everyone'), carol.waitForText('hello everyone')]);
      assert.equal(b.id, ack.id);
      assert.equal(c.id, ack.id);
      assert.equal(b.to, 'all');
      assert.equal(ack.reached, 2);
      // The relay writes to one connection in order: an echo would have come before the ack.
      assert.equal(alice.received('hello everyone').length, 0, 'the sender does not get its own broadcast');
      await barrier(bob, alice, 'alice');
      assert.equal(alice.received('hello everyone').length, 0);
    });

    it('numbers messages with increasing seq and distinct ids, and delivers them in that order', async function () {
      const { alice, bob, carol } = await trio();
      const texts = Array.from({ length: 8 }, (_, i) => `numbered ${i}`);
      const acks = await withTimeout(
        Promise.all(texts.map((t, i) => (i % 2 === 0 ? alice.send([bob.clientId], t) : alice.send('all', t)))),
        'acks of 8 messages',
      );
      for (let i = 1; i < acks.length; i++) assert.ok(acks[i].seq > acks[i - 1].seq, `seq grows: ${acks.map((a) => a.seq)}`);
      assert.equal(new Set(acks.map((a) => a.id)).size, acks.length, 'ids are distinct');
      await bob.waitForText('numbered 7');
      const atBob = bob.events.message.filter((m) => m.text.startsWith('numbered '));
      assert.deepEqual(
        atBob.map((m) => m.text),
        texts,
        'bob received all eight, in order',
      );
      assert.deepEqual(
        atBob.map((m) => m.seq),
        acks.map((a) => a.seq),
      );
      await carol.waitForText('numbered 7');
      assert.deepEqual(
        carol.events.message.filter((m) => m.text.startsWith('numbered ')).map((m) => m.text),
        texts.filter((_, i) => i % 2 === 1),
        "carol received the four sent to 'all'",
      );
    });

    it('refuses a well-formed but unknown peer id with NO_SUCH_PEER, delivers nothing, and keeps the connection', async function () {
      const { alice, bob } = await trio();
      const stranger = generateIdentity().clientId;
      await rejectsWithCode(alice.send([stranger], 'to nobody'), ErrorCode.NoSuchPeer, 'send to an unknown id');
      await rejectsWithCode(alice.send([bob.clientId, stranger], 'to bob and nobody'), ErrorCode.NoSuchPeer, 'send to bob and an unknown id');
      assert.deepEqual(alice.pending, [], 'nothing is left pending');
      await barrier(alice, bob, 'bob');
      assert.equal(bob.received('to bob and nobody').length, 0, 'a refused message is not delivered to anyone');
      assert.equal(alice.state, 'connected');
      assert.equal(alice.events.disconnected.length, 0, 'the connection stayed up');
    });

    it('refuses a malformed peer id (a typo) or an empty target list, without dropping the connection', async function () {
      // A peer id typed by hand that is not even shaped like a client id.
      const { alice, bob } = await trio();
      const expected: [string[], string[]][] = [
        [['bob'], [ErrorCode.NoSuchPeer]], // a name where an id belongs
        [[], [ErrorCode.NoSuchPeer, ErrorCode.BadMessage]], // nobody at all
      ];
      for (const [to, codes] of expected) {
        let outcome: unknown;
        try {
          outcome = await withTimeout(alice.send(to, 'to a typo'), `the send to ${JSON.stringify(to)} to settle`, 1500);
        } catch (err) {
          outcome = err;
        }
        const disconnects = alice.events.disconnected.map((e) => e.code);
        assert.ok(
          outcome instanceof TeamMessengerError && codes.includes(outcome.code),
          `send(${JSON.stringify(to)}) should reject with ${codes.join(' or ')}; got ${outcome instanceof Error ? `${(outcome as TeamMessengerError).code ?? ''} ${outcome.message}` : JSON.stringify(outcome)}; ` +
            `meanwhile alice was disconnected ${disconnects.length} time(s) (codes: ${[...new Set(disconnects)].join(', ')}) and the message is still pending: ${alice.pending.length}`,
        );
        assert.deepEqual(disconnects, [], 'the connection must stay up');
      }
      await barrier(alice, bob, 'bob');
    });

    it('replays what a known identity missed when it returns without a bookmark (raw client)', async function () {
      const { port, alice } = await trio();
      const bobIdentity = generateIdentity();
      const first = await RawClient.connect(cleanup, port);
      await first.handshake({ identity: bobIdentity, name: 'bob' });
      await alice.waitFor('peer-joined', (p) => p.clientId === bobIdentity.clientId);
      first.send({ t: 'bye' });
      await first.waitClosed();
      await alice.waitFor('peer-left', (l) => l.clientId === bobIdentity.clientId);

      const ack1 = await sendAndAck(alice, [bobIdentity.clientId], 'missed one');
      const ack2 = await sendAndAck(alice, 'all', 'missed two');
      const again = await RawClient.connect(cleanup, port);
      const welcome = await again.handshake({ identity: bobIdentity, name: 'bob' });
      await again.waitFor((m) => m.t === 'message' && m.text === 'missed two', 'the second replayed message');
      const replayed = again.messages.filter((m) => m.t === 'message');
      assert.deepEqual(
        replayed.map((m) => m.t === 'message' && [m.text, m.seq, m.id, m.replay]),
        [
          ['missed one', ack1.seq, ack1.id, true],
          ['missed two', ack2.seq, ack2.id, true],
        ],
      );
      assert.ok(
        welcome.seq < ack1.seq,
        `the welcome's seq (${welcome.seq}) must come before the replay (${ack1.seq}), or a client that starts its bookmark there drops the replay`,
      );
    });

    it('acks a message to a known but offline peer as offline, and replays it when that identity returns', async function () {
      const { port, alice, carol } = await trio();
      const bobIdentity = generateIdentity();
      const bob1 = await connectClient(cleanup, port, { name: 'bob', identity: bobIdentity });
      await alice.waitFor('peer-joined', (p) => p.clientId === bobIdentity.clientId);
      await bob1.close();
      await alice.waitFor('peer-left', (l) => l.clientId === bobIdentity.clientId);

      const ack = await sendAndAck(alice, [bobIdentity.clientId, carol.clientId], 'while you were out');
      assert.deepEqual(ack.offline, [bobIdentity.clientId]);
      assert.deepEqual(ack.online, [carol.clientId]);
      assert.equal(ack.reached, 1);

      const dave = createClient(cleanup, port, { name: 'dave' });
      const daveWelcome = await withTimeout(dave.connect(), 'dave to connect');
      assert.ok(
        daveWelcome.known.some((k) => k.clientId === bobIdentity.clientId && k.name === 'bob'),
        'a newcomer sees bob as a known offline peer',
      );

      // A new client process for bob: same identity, no bookmark from before.
      const bob2 = createClient(cleanup, port, { name: 'bob', identity: bobIdentity });
      const welcome = await withTimeout(bob2.connect(), 'bob to come back');
      const replayed = await bob2.waitForText('while you were out', 2000).catch((err: Error) => {
        throw new Error(
          `${err.message}. The message was seq ${ack.seq}; bob's welcome said seq ${welcome.seq}, ` +
            `so his client set its bookmark to ${JSON.stringify(bob2.bookmark)} and treats seq <= ${bob2.bookmark?.seq} as already seen`,
        );
      });
      assert.equal(replayed.replay, true);
      assert.equal(replayed.id, ack.id);
      assert.equal(replayed.seq, ack.seq);
      assert.equal(replayed.from, alice.clientId);
      await barrier(alice, bob2, 'bob');
      assert.equal(bob2.received('while you were out').length, 1, 'replayed exactly once');
    });
  });

  // ------------------------------------------------------------------------------------ authentication

  describe('authentication', function () {
    it('admits a client with the right secret (and the client checks the relay proof)', async function () {
      const relay = await startRelay(cleanup);
      const alice = createClient(cleanup, relay.address().port, { name: 'alice' });
      const welcome = await withTimeout(alice.connect(), 'alice to connect');
      assert.match(welcome.proof ?? '', /^[0-9a-f]{64}$/, 'the relay proves it knows the secret');
      assert.equal(alice.state, 'connected');
      assert.equal(relay.clientCount, 1);
    });

    it('refuses a wrong secret with AUTH_FAILED (client and raw socket)', async function () {
      const relay = await startRelay(cleanup);
      const port = relay.address().port;
      const mallory = createClient(cleanup, port, { name: 'mallory', secret: 'not the secret' });
      await rejectsWithCode(mallory.connect(), ErrorCode.AuthFailed, 'connect with a wrong secret');
      assert.equal(mallory.state, 'closed', 'no reconnect loop after AUTH_FAILED');
      assert.deepEqual(
        mallory.events.disconnected.map((e) => e.code),
        [ErrorCode.AuthFailed],
      );

      const raw = await RawClient.connect(cleanup, port);
      await raw.hello({ secret: 'not the secret' });
      const error = await raw.waitForError();
      assert.equal(error.code, ErrorCode.AuthFailed);
      assert.equal(error.fatal, true);
      await raw.waitClosed();
      assert.ok(!raw.messages.some((m) => m.t === 'welcome'), 'no welcome');
      assert.equal(relay.clientCount, 0);
    });

    it('refuses a client without a secret when the relay has one', async function () {
      const relay = await startRelay(cleanup);
      const port = relay.address().port;
      const anon = createClient(cleanup, port, { name: 'anon', secret: undefined });
      await rejectsWithCode(anon.connect(), ErrorCode.AuthFailed, 'connect without a secret');
      assert.equal(anon.state, 'closed');

      // The relay itself refuses a hello without proof, whatever the client does.
      const raw = await RawClient.connect(cleanup, port);
      const { challenge } = await raw.hello({ secret: undefined });
      assert.equal(challenge.auth, true, 'the challenge says a secret is required');
      assert.equal((await raw.waitForError()).code, ErrorCode.AuthFailed);
      await raw.waitClosed();
      assert.equal(relay.clientCount, 0);
    });

    it('refuses a relay that cannot prove the secret: a client with a secret against a noAuth relay', async function () {
      const relay = await startRelay(cleanup, { auth: { noAuth: true } });
      const port = relay.address().port;
      const alice = createClient(cleanup, port, { name: 'alice' });
      await rejectsWithCode(alice.connect(), ErrorCode.AuthFailed, 'connect with a secret to a relay without one');
      assert.equal(alice.state, 'closed');
      // Sanity: the same relay admits a client that has no secret either.
      const bob = await connectClient(cleanup, port, { name: 'bob', secret: undefined });
      assert.equal(bob.state, 'connected');
    });

    it('refuses a hello whose Ed25519 signature does not verify', async function () {
      const relay = await startRelay(cleanup);
      const raw = await RawClient.connect(cleanup, relay.address().port);
      await raw.hello({ secret: SECRET, signTranscript: Buffer.from('some other transcript') });
      const error = await raw.waitForError();
      assert.equal(error.code, ErrorCode.AuthFailed);
      await raw.waitClosed();
      assert.equal(relay.clientCount, 0);
    });

    it('refuses another protocol version with VERSION_MISMATCH', async function () {
      const relay = await startRelay(cleanup);
      const raw = await RawClient.connect(cleanup, relay.address().port);
      const { challenge } = await raw.hello({ secret: SECRET, v: PROTOCOL_VERSION + 1 });
      assert.equal(challenge.v, PROTOCOL_VERSION);
      const error = await raw.waitForError();
      assert.equal(error.code, ErrorCode.VersionMismatch);
      assert.equal(error.fatal, true);
      await raw.waitClosed();
      assert.equal(relay.clientCount, 0);
    });

    it('never sends the secret over the wire, in any encoding', async function () {
      const relay = await startRelay(cleanup);
      const proxy = await TcpProxy.start(cleanup, relay.address().port);
      const aliceIdentity = generateIdentity();
      const alice = await connectClient(cleanup, proxy.port, { name: 'alice', identity: aliceIdentity });
      const bob = await connectClient(cleanup, proxy.port, { name: 'bob' });
      await sendAndAck(alice, [bob.clientId], 'hi bob');
      await bob.waitForText('hi bob');
      await sendAndAck(bob, [alice.clientId], 'hi alice');
      await alice.waitForText('hi alice');
      // A failed attempt goes through the proxy too.
      const mallory = createClient(cleanup, proxy.port, { name: 'mallory', secret: SECRET + '!' });
      await rejectsWithCode(mallory.connect(), ErrorCode.AuthFailed, 'mallory');

      const wire = proxy.allBytes();
      // Sanity: the capture really holds the handshake.
      assert.ok(wire.includes(aliceIdentity.publicKey), "alice's hello was captured");
      assert.ok(wire.includes('"t":"hello"'), 'the hello was captured');
      assert.ok(wire.includes('"proof"'), 'the proofs were captured');
      assert.ok(wire.includes('hi alice'), 'the chat was captured');
      const secret = Buffer.from(SECRET, 'utf8');
      const encodings: [string, Buffer][] = [
        ['utf8', secret],
        ['hex', Buffer.from(secret.toString('hex'))],
        ['HEX', Buffer.from(secret.toString('hex').toUpperCase())],
        ['base64', Buffer.from(secret.toString('base64'))],
        ['base64url', Buffer.from(secret.toString('base64url'))],
        ['utf16le', Buffer.from(SECRET, 'utf16le')],
        ['JSON-escaped', Buffer.from(JSON.stringify(SECRET).slice(1, -1))],
      ];
      for (const [encoding, needle] of encodings) {
        assert.equal(wire.indexOf(needle), -1, `the secret appears on the wire (${encoding})`);
      }
      // Nor any long piece of it.
      assert.equal(wire.indexOf(Buffer.from(SECRET.slice(0, 12))), -1);
    });
  });

  // ------------------------------------------------------------------------------------ identity

  describe('identity', function () {
    it('refuses a client that presents another identity without its private key (even with the team secret)', async function () {
      const relay = await startRelay(cleanup);
      const port = relay.address().port;
      const aliceIdentity = generateIdentity();
      const alice = await connectClient(cleanup, port, { name: 'alice', identity: aliceIdentity });
      const bob = await connectClient(cleanup, port, { name: 'bob' });

      const raw = await RawClient.connect(cleanup, port);
      await raw.hello({ identity: publicPartOf(aliceIdentity), signWith: generateIdentity(), secret: SECRET, name: 'alice' });
      const error = await raw.waitForError();
      assert.equal(error.code, ErrorCode.AuthFailed);
      await raw.waitClosed();

      assert.equal(relay.clientCount, 2);
      assert.equal(rosterEntries(bob, aliceIdentity.clientId).length, 1, 'bob still sees exactly one alice');
      await barrier(bob, alice, 'alice');
      assert.equal(alice.events.disconnected.length, 0, 'the real alice was not disturbed');
    });

    it('lets two clients with the same identity coexist: both listed, both receive', async function () {
      const relay = await startRelay(cleanup);
      const port = relay.address().port;
      const identity = generateIdentity();
      const desk = await connectClient(cleanup, port, { name: 'alice', identity, machine: 'desk' });
      const laptop = await connectClient(cleanup, port, { name: 'alice', identity, machine: 'laptop' });
      const bob = await connectClient(cleanup, port, { name: 'bob' });

      assert.notEqual(desk.self?.id, laptop.self?.id);
      assert.equal(desk.self?.clientId, laptop.self?.clientId);
      assert.equal(relay.clientCount, 3);
      assert.deepEqual(
        rosterEntries(bob, identity.clientId)
          .map((p) => p.machine)
          .sort(),
        ['desk', 'laptop'],
        'bob lists both',
      );
      await desk.waitFor('peer-joined', (p) => p.id === laptop.self?.id);
      assert.equal(rosterEntries(desk, identity.clientId).length, 1, 'desk lists laptop');

      const ack = await sendAndAck(bob, [identity.clientId], 'to both of you');
      assert.equal(ack.reached, 1, 'one identity reached');
      assert.deepEqual(ack.online, [identity.clientId]);
      await desk.waitForText('to both of you');
      await laptop.waitForText('to both of you');

      await desk.close();
      await bob.waitFor('peer-left', (l) => l.id === desk.self?.id);
      assert.equal(rosterEntries(bob, identity.clientId).length, 1, 'laptop is still listed');
      assert.ok(!bob.known.has(identity.clientId), 'alice is not offline while one connection remains');
      await barrier(bob, laptop, 'laptop');
      assert.equal(laptop.state, 'connected');
    });

    it('an identity in three places: when the middle one leaves, the first and the last still receive', async function () {
      const relay = await startRelay(cleanup);
      const port = relay.address().port;
      const identity = generateIdentity();
      const places = [];
      for (const machine of ['desk', 'laptop', 'tablet']) places.push(await connectClient(cleanup, port, { name: 'alice', identity, machine }));
      const bob = await connectClient(cleanup, port, { name: 'bob' });
      const middle = places[1];
      await middle.close();
      await bob.waitFor('peer-left', (l) => l.id === middle.self?.id);
      assert.deepEqual(
        rosterEntries(bob, identity.clientId)
          .map((p) => p.machine)
          .sort(),
        ['desk', 'tablet'],
      );
      const ack = await sendAndAck(bob, [identity.clientId], 'still there?');
      assert.deepEqual(ack.online, [identity.clientId]);
      for (const place of [places[0], places[2]]) await place.waitForText('still there?');
    });

    it('replaces a stale session when the same client reconnects while the relay still sees the old one', async function () {
      const relay = await startRelay(cleanup);
      const port = relay.address().port;
      const bob = await connectClient(cleanup, port, { name: 'bob' });
      const proxy = await TcpProxy.start(cleanup, port);
      const alice = await connectClient(cleanup, proxy.port, { name: 'alice' });
      const oldId = alice.self!.id;
      await bob.waitFor('peer-joined', (p) => p.id === oldId);

      // Alice's side of the connection dies; the relay's side stays open (half-dead).
      const [stale] = proxy.severClientSides();
      assert.ok(stale, 'there was a connection to sever');
      const lost = await alice.waitFor('disconnected', undefined, 'alice to notice the lost connection');
      assert.equal(lost.code, ErrorCode.ConnectionLost);
      await alice.waitFor('welcome', (w) => w.id !== oldId, 'alice to reconnect by herself');
      const newId = alice.self!.id;
      assert.notEqual(newId, oldId);

      const left = await bob.waitFor('peer-left', (l) => l.id === oldId, 'bob to see the stale connection go');
      assert.match(left.reason, /replaced/i);
      await bob.waitFor('peer-joined', (p) => p.id === newId);
      await withTimeout(
        new Promise<void>((resolve) => (stale.upstream.closed ? resolve() : stale.upstream.once('close', () => resolve()))),
        'the relay to close the stale connection',
      );
      const toStale = decodeRelayStream(stale.down);
      assert.ok(
        toStale.some((m) => m.t === 'error' && m.code === ErrorCode.Replaced),
        `the stale connection was told it was replaced: ${JSON.stringify(toStale.map((m) => m.t))}`,
      );

      assert.equal(relay.clientCount, 2, 'exactly one session for alice, one for bob');
      const aliceEntries = rosterEntries(bob, alice.clientId);
      assert.deepEqual(
        aliceEntries.map((p) => p.id),
        [newId],
        'bob lists alice once, with her new connection',
      );
      const ack = await sendAndAck(bob, [alice.clientId], 'are you back?');
      assert.deepEqual(ack.online, [alice.clientId]);
      await alice.waitForText('are you back?');
      await barrier(bob, alice, 'alice');
      assert.equal(alice.received('are you back?').length, 1);
      assert.equal(alice.state, 'connected');
      assert.equal(alice.events.disconnected.length, 1, 'the replacement did not disconnect the new connection');
      // The stale connection was counted against its address once and is released once, when
      // its socket closed: bob's and alice's new connection are what is left.
      await until(() => holdings(relay).admitted < 3, 'the relay to let go of the stale socket');
      assert.equal(holdings(relay).admitted, 2);
    });
  });

  // ------------------------------------------------------------------------------------ liveness

  describe('liveness', function () {
    it('reaps a connection that never answers pings, and keeps a normal client connected', async function () {
      const idleTimeoutMs = 300;
      const relay = await startRelay(cleanup, { idleTimeoutMs, pingIntervalMs: 100 });
      const port = relay.address().port;
      const alice = await connectClient(cleanup, port, { name: 'alice' });
      const bob = await connectClient(cleanup, port, { name: 'bob' });
      const connectedAt = Date.now();
      const silent = await RawClient.connect(cleanup, port);
      await silent.handshake({ name: 'silent' });
      await alice.waitFor('peer-joined', (p) => p.clientId === silent.identity.clientId);

      const left = await alice.waitFor('peer-left', (l) => l.clientId === silent.identity.clientId, 'the silent peer to be reaped', 4000);
      assert.match(left.reason, /nothing received|idle|time ?out/i, `the reason says why: "${left.reason}"`);
      const error = await silent.waitForError();
      assert.equal(error.code, ErrorCode.IdleTimeout);
      await silent.waitClosed();
      assert.ok(
        silent.messages.some((m) => m.t === 'ping'),
        'the relay pinged it first',
      );

      // Stay on for a few more idle periods: the honest clients answer and are kept.
      await sleep(2 * idleTimeoutMs);
      assert.ok(Date.now() - connectedAt > 2 * idleTimeoutMs);
      for (const c of [alice, bob]) {
        assert.equal(c.state, 'connected', `${c.name} is still connected`);
        assert.equal(c.events.disconnected.length, 0, `${c.name} was never disconnected`);
      }
      assert.equal(relay.clientCount, 2);
      await barrier(alice, bob, 'bob');
    });

    it('closes a connection that never sends a valid hello with HANDSHAKE_TIMEOUT', async function () {
      const relay = await startRelay(cleanup, { handshakeTimeoutMs: 200 });
      const port = relay.address().port;
      const mute = await RawClient.connect(cleanup, port);
      const partial = await RawClient.connect(cleanup, port);
      await partial.waitForType('challenge');
      partial.sendBytes(Buffer.from([0, 0, 0, 40, FrameKind.Control])); // half a header, then nothing
      for (const raw of [mute, partial]) {
        const error = await raw.waitForError();
        assert.equal(error.code, ErrorCode.HandshakeTimeout);
        assert.equal(error.fatal, true);
        await raw.waitClosed();
      }
      assert.equal(mute.messages[0]?.t, 'challenge', 'the relay offered a challenge first');
      assert.equal(relay.clientCount, 0);
    });
  });

  // ------------------------------------------------------------------------------------ isolation

  describe('isolation', function () {
    it('closes a client that sends garbage with the right error code, without disturbing anyone else', async function () {
      const relay = await startRelay(cleanup);
      const port = relay.address().port;
      const alice = await connectClient(cleanup, port, { name: 'alice' });
      const bob = await connectClient(cleanup, port, { name: 'bob' });
      await barrier(alice, bob, 'before');
      await barrier(bob, alice, 'before');

      const FRAMING = [
        ErrorCode.FrameTooLarge,
        ErrorCode.BadFrameKind,
        ErrorCode.BadFrameFlags,
        ErrorCode.BadJson,
        ErrorCode.BadMessage,
        ErrorCode.UnknownType,
      ];
      const control = (json: string) => encodeFrame(FrameKind.Control, Buffer.from(json, 'utf8'));
      const cases: { name: string; afterHandshake: boolean; bytes: Buffer; codes: string[] }[] = [];
      for (const afterHandshake of [false, true]) {
        cases.push(
          {
            name: '4 GB length header',
            afterHandshake,
            bytes: Buffer.from([0xff, 0xff, 0xff, 0xff, FrameKind.Control, 0, 0, 0, 0, 0]),
            codes: [ErrorCode.FrameTooLarge],
          },
          { name: 'random bytes', afterHandshake, bytes: seededBytes(4096, afterHandshake ? 2 : 1), codes: FRAMING },
          { name: 'random payload in a control frame', afterHandshake, bytes: encodeFrame(FrameKind.Control, seededBytes(300, 7)), codes: [ErrorCode.BadJson] },
          { name: 'bad JSON', afterHandshake, bytes: control('{"t":"send",'), codes: [ErrorCode.BadJson] },
          { name: 'unknown type', afterHandshake, bytes: control('{"t":"launch-missiles"}'), codes: [ErrorCode.UnknownType] },
          { name: 'JSON that is not an object', afterHandshake, bytes: control('[1,2,3]'), codes: [ErrorCode.BadMessage] },
          { name: 'a send missing fields', afterHandshake, bytes: control('{"t":"send","ref":"x"}'), codes: [ErrorCode.BadMessage] },
          { name: 'unknown frame kind', afterHandshake, bytes: Buffer.from([0, 0, 0, 0, 9, 0, 0, 0, 0, 0]), codes: [ErrorCode.BadFrameKind] },
          {
            name: 'unknown frame flags',
            afterHandshake,
            bytes: Buffer.from([0, 0, 0, 2, FrameKind.Control, 0x80, 0, 0, 0, 0, 0x7b, 0x7d]),
            codes: [ErrorCode.BadFrameFlags],
          },
          {
            name: 'a control frame with flags',
            afterHandshake,
            bytes: encodeFrame(FrameKind.Control, Buffer.from('{"t":"bye"}'), 0, 1),
            codes: [ErrorCode.BadFrameFlags],
          },
          {
            name: 'data on a stream never opened',
            afterHandshake,
            bytes: encodeFrame(FrameKind.Data, Buffer.from('data'), 0xfffffff0),
            codes: [ErrorCode.UnexpectedMessage],
          },
        );
      }
      cases.push(
        { name: 'a ping before hello', afterHandshake: false, bytes: control('{"t":"ping","n":1}'), codes: [ErrorCode.UnexpectedMessage] },
        { name: 'a second hello', afterHandshake: true, bytes: Buffer.alloc(0), codes: [ErrorCode.UnexpectedMessage] },
      );

      const attack = async (c: (typeof cases)[number], i: number) => {
        const raw = await RawClient.connect(cleanup, port);
        if (c.afterHandshake) await raw.handshake({ name: `garbage-${i}` });
        else await raw.waitForType('challenge');
        if (c.name === 'a second hello') await raw.hello({ secret: SECRET });
        else raw.sendBytes(c.bytes);
        const error = await raw
          .waitFor((m) => m.t === 'error', `an error frame for "${c.name}" (${c.afterHandshake ? 'after' : 'before'} hello)`)
          .catch((err: Error) => {
            throw new Error(
              `${err.message}; the raw client got ${JSON.stringify(raw.messages.map((m) => m.t))}, ` +
                `decode errors: ${JSON.stringify(raw.decodeErrors.map((e) => e.message))}, closed: ${raw.isClosed}`,
            );
          });
        assert.ok(error.t === 'error');
        assert.ok(
          c.codes.includes(error.code),
          `"${c.name}" (${c.afterHandshake ? 'after' : 'before'} hello): expected ${c.codes.join('|')}, got ${error.code}`,
        );
        assert.equal(error.fatal, true);
        await raw.waitClosed();
        return raw;
      };

      // Honest chat during the attacks.
      const during = Array.from({ length: 20 }, (_, i) => `during ${i}`);
      const chat = Promise.all(during.flatMap((t) => [alice.send([bob.clientId], `${t} a`), bob.send([alice.clientId], `${t} b`)]));
      const raws = await Promise.all(cases.map(attack));
      await withTimeout(chat, 'acks of the honest chat');
      for (const t of during) {
        await bob.waitForText(`${t} a`);
        await alice.waitForText(`${t} b`);
      }

      // The attackers that had joined are gone from the roster.
      for (const raw of raws.filter((_, i) => cases[i].afterHandshake)) {
        await alice.waitFor('peer-left', (l) => l.clientId === raw.identity.clientId);
      }
      assert.equal(relay.clientCount, 2);
      await barrier(alice, bob, 'after');
      await barrier(bob, alice, 'after');
      for (const c of [alice, bob]) {
        assert.equal(c.events.disconnected.length, 0, `${c.name} was never disconnected`);
        assert.equal(c.events['relay-error'].length, 0, `${c.name} got no errors`);
      }
      for (const t of during) {
        assert.equal(bob.received(`${t} a`).length, 1);
        assert.equal(alice.received(`${t} b`).length, 1);
      }
    });

    /** Every `flood i` message of a flood of `count` reached `reader`, once and in order. Polled:
     *  waitFor would scan all of them on every arrival. */
    async function assertWholeFlood(reader: RawClient, count: number): Promise<void> {
      const texts = () => reader.messages.flatMap((m) => (m.t === 'message' ? [m.text] : []));
      for (const end = Date.now() + 40_000; texts().length < count && Date.now() < end;) await sleep(20);
      assert.deepEqual(
        texts(),
        Array.from({ length: count }, (_, i) => `flood ${i}`),
        'the whole flood arrives, in order',
      );
    }

    it("a flood arriving in full reads is handled a read per turn: another sender's message is not queued behind megabytes of it", async function () {
      this.timeout(60_000);
      const relay = await startRelay(cleanup, { textBytesPerSecond: 0, messagesPerSecond: 0 });
      const port = relay.address().port;
      const flooder = await RawClient.connect(cleanup, port);
      const floodWelcome = await flooder.handshake({ name: 'flooder' });
      const reader = await RawClient.connect(cleanup, port);
      await reader.handshake({ name: 'reader' });
      const carol = await connectClient(cleanup, port, { name: 'carol' });
      const dave = await connectClient(cleanup, port, { name: 'dave' });
      assert.ok(floodWelcome);

      // 40,000 messages written at once: far more than the relay would take in one go (Node reads
      // a ready socket up to 32 × 64 KiB before looking at any other).
      const count = 40_000;
      const frames: Buffer[] = [];
      for (let i = 0; i < count; i++) {
        frames.push(
          encodeFrame(FrameKind.Control, Buffer.from(JSON.stringify({ t: 'send', ref: `f${i}`, to: [reader.identity.clientId], text: `flood ${i}` }))),
        );
      }
      const flood = Buffer.concat(frames);
      const firstArrived = reader.waitForType('message', 20_000);
      flooder.sendBytes(flood);
      const first = await firstArrived;
      // The relay is now working through the flood; carol's message must get a turn soon.
      const ack = await sendAndAck(carol, [dave.clientId], 'a word in between', 30_000);
      const floodBefore = ack.seq - first.seq;
      assert.ok(
        floodBefore < 4000,
        `${floodBefore} flood messages were handled between the flood's first and carol's message (${flood.length} bytes in flight)`,
      );
      await assertWholeFlood(reader, count);
    });

    it("a flood is handled a turn budget at a time while others talk: with no budget, another sender's message comes after a few of the flood's, not after the rest of its read", async function () {
      this.timeout(60_000);
      // turnBudgetMs 0: every message of the flood is a turn of its own while anyone else is
      // reading, so how many come between does not depend on this machine's speed. Without turns
      // inside a read it is the rest of the 64 KiB read the flood's first message came in (about
      // 600 of these). othersActiveMs 60 s: dave counts as talking even if this machine pauses
      // the relay for longer than the 20 ms default between two of his ticks.
      const relay = await startRelay(cleanup, { textBytesPerSecond: 0, messagesPerSecond: 0, turnBudgetMs: 0, othersActiveMs: 60_000 });
      const port = relay.address().port;
      const flooder = await RawClient.connect(cleanup, port);
      await flooder.handshake({ name: 'flooder' });
      const reader = await RawClient.connect(cleanup, port);
      await reader.handshake({ name: 'reader' });
      const carol = await connectClient(cleanup, port, { name: 'carol' });
      const dave = await connectClient(cleanup, port, { name: 'dave' });
      // Dave chats on throughout: the relay has someone to give turns to.
      let chatting = true;
      const chatter = (async () => {
        for (let i = 0; chatting; i++) await sendAndAck(dave, [carol.clientId], `tick ${i}`, 30_000);
      })();

      const count = 5000;
      const frames: Buffer[] = [];
      for (let i = 0; i < count; i++) {
        frames.push(
          encodeFrame(FrameKind.Control, Buffer.from(JSON.stringify({ t: 'send', ref: `f${i}`, to: [reader.identity.clientId], text: `flood ${i}` }))),
        );
      }
      const firstArrived = reader.waitForType('message', 20_000);
      flooder.sendBytes(Buffer.concat(frames));
      const first = await firstArrived;
      const ack = await sendAndAck(carol, [dave.clientId], 'a word in between', 30_000);
      const floodBefore = ack.seq - first.seq;
      chatting = false;
      await chatter;
      const ticks = (await barrier(dave, carol, 'carol'), carol.events.message.filter((m) => m.text.startsWith('tick ')).length);
      assert.ok(floodBefore < 100, `${floodBefore} flood messages (and dave's ticks) were handled between the flood's first and carol's message`);
      assert.ok(ticks > 0, 'dave chatted meanwhile');
      await assertWholeFlood(reader, count);
      for (const end = Date.now() + 10_000; flooder.messages.filter((m) => m.t === 'ack').length < count && Date.now() < end;) await sleep(20);
      assert.equal(flooder.messages.filter((m) => m.t === 'ack').length, count, 'every flood message acked');
    });

    /** Alice, carol and dave on a relay, and a raw client "slow" everyone has seen join. No text
     *  budget: an honest heavy sender, so the relay's queue bounds are what the tests exercise. */
    async function slowReaderTeam(options: TestRelayOptions) {
      const relay = await startRelay(cleanup, { textBytesPerSecond: 0, ...options });
      const port = relay.address().port;
      const alice = await connectClient(cleanup, port, { name: 'alice' });
      const carol = await connectClient(cleanup, port, { name: 'carol' });
      const dave = await connectClient(cleanup, port, { name: 'dave' });
      const slow = await RawClient.connect(cleanup, port);
      await slow.handshake({ name: 'slow' });
      await alice.waitFor('peer-joined', (p) => p.clientId === slow.identity.clientId);
      return { relay, alice, carol, dave, slow };
    }

    it('a direct sender that outruns its reader is paused, not the reader dropped: bounded queue, nothing lost, others unaffected', async function () {
      this.timeout(60_000);
      const maxQueuedBytes = 1024 * 1024;
      const { relay, alice, carol, dave, slow } = await slowReaderTeam({ maxQueuedBytes, messagesPerSecond: 0, slowConsumerGraceMs: 60_000 });
      slow.answerPings = true;
      slow.socket.pause();

      const socketBuffers = kernelSocketBuffers();
      const text = 'y'.repeat(32 * 1024);
      const frameBytes = text.length + 512;
      const count = Math.ceil((2 * socketBuffers + 4 * maxQueuedBytes) / text.length);
      let acked = 0;
      const sends = Array.from({ length: count }, (_, i) => alice.send([slow.identity.clientId], `${i} ${text}`).then(() => acked++));

      // Others chat on while alice waits for the slow reader.
      for (let i = 0; i < 20; i++) await sendAndAck(carol, [dave.clientId], `meanwhile ${i}`);
      await barrier(carol, dave, 'dave');
      await sleep(500);
      const ackedWhilePaused = acked;
      const bound = relay.backpressureBytes + socketBuffers + 2 * 64 * 1024 + frameBytes;
      assert.ok(ackedWhilePaused * frameBytes <= bound, `the relay accepted ${ackedWhilePaused * frameBytes} bytes for a reader that stopped (bound ${bound})`);
      assert.ok(ackedWhilePaused < count, 'alice was held back');
      assert.equal(relay.clientCount, 4, 'nobody was dropped');

      // The reader catches up: every message arrives, once and in order, and every send is acked.
      slow.socket.resume();
      await withTimeout(Promise.all(sends), 'acks of every send', 40_000);
      const chats = () => slow.messages.filter((m) => m.t === 'message').length;
      for (const end = Date.now() + 20_000; chats() < count && Date.now() < end;) await sleep(20);
      const got = slow.messages.flatMap((m) => (m.t === 'message' ? [Number(m.text.slice(0, m.text.indexOf(' ')))] : []));
      assert.deepEqual(
        got,
        Array.from({ length: count }, (_, i) => i),
      );
      for (const c of [alice, carol, dave]) assert.equal(c.events.disconnected.length, 0, `${c.name} was not dropped`);
      assert.equal(slow.isClosed, false);
    });

    it('drops a consumer that stopped reading once it has held its sender past the grace; others keep chatting', async function () {
      this.timeout(30_000);
      const maxQueuedBytes = 256 * 1024;
      const { relay, alice, carol, dave, slow } = await slowReaderTeam({ maxQueuedBytes, slowConsumerGraceMs: 1000 });
      assert.equal(relay.clientCount, 4);
      slow.socket.pause(); // never reads again

      const socketBuffers = kernelSocketBuffers();
      const text = 'x'.repeat(32 * 1024);
      const frameBytes = text.length + 512;
      const bound = maxQueuedBytes + socketBuffers + 1024 * 1024;

      let dropped = false;
      const slowLeft = alice.waitFor('peer-left', (l) => l.clientId === slow.identity.clientId, 'the slow consumer to be dropped', 25_000);
      slowLeft.then(
        () => (dropped = true),
        () => undefined,
      );
      let acceptedForSlow = 0;
      const smallTalk: Promise<unknown>[] = [];
      let round = 0;
      while (!dropped && acceptedForSlow <= bound + 4 * frameBytes) {
        const acks = await withTimeout(Promise.all([1, 2, 3, 4].map(() => alice.send([slow.identity.clientId], text))), 'acks of the flood');
        for (const ack of acks) if (ack.online.includes(slow.identity.clientId)) acceptedForSlow += frameBytes;
        if (round++ % 8 === 0) smallTalk.push(carol.send([dave.clientId], `small talk ${round}`));
      }
      assert.ok(dropped, `the relay accepted ${acceptedForSlow} bytes for a reader that stopped and still did not drop it (bound ${bound})`);
      const left = await slowLeft;
      assert.match(left.reason, /slow/i, `dropped for being slow: "${left.reason}"`);
      assert.ok(
        acceptedForSlow <= bound,
        `the relay accepted ${acceptedForSlow} bytes for a reader that stopped, more than maxQueuedBytes + socket buffers (${bound})`,
      );
      await waitUntil(() => relay.clientCount === 3, relay, ['peer-left'], 'the relay to count three clients');

      await withTimeout(Promise.all(smallTalk), 'acks of the small talk');
      await barrier(carol, dave, 'dave');
      await barrier(dave, carol, 'carol');
      for (const c of [alice, carol, dave]) assert.equal(c.events.disconnected.length, 0, `${c.name} was not dropped`);
      const ack = await sendAndAck(alice, [slow.identity.clientId], 'are you there?');
      assert.deepEqual(ack.offline, [slow.identity.clientId], 'the slow one is offline now');
    });
  });

  // ------------------------------------------------------------------------------------ shutdown, ping, status

  describe('graceful shutdown', function () {
    it('tells clients SERVER_SHUTDOWN, delivers what was acked, resolves, and frees the port', async function () {
      const relay = await startRelay(cleanup);
      const port = relay.address().port;
      const alice = await connectClient(cleanup, port, { name: 'alice' });
      const bob = await connectClient(cleanup, port, { name: 'bob' });
      const texts = Array.from({ length: 20 }, (_, i) => `last words ${i} ${'.'.repeat(2000)}`);
      await withTimeout(Promise.all(texts.map((t) => alice.send([bob.clientId], t))), 'acks before the stop');

      const bobDown = bob.waitForNext('disconnected', undefined, 'bob to be disconnected');
      const aliceDown = alice.waitForNext('disconnected', undefined, 'alice to be disconnected');
      const stopped = relay.stop();
      assert.equal(relay.stop(), stopped, 'stop() twice is the same stop');
      const [a, b] = await Promise.all([aliceDown, bobDown]);
      assert.equal(a.code, ErrorCode.ServerShutdown);
      assert.equal(b.code, ErrorCode.ServerShutdown);
      for (const t of texts) assert.equal(bob.received(t).length, 1, 'everything acked before the stop was delivered');
      await withTimeout(stopped, 'relay.stop() to resolve');
      assert.equal(relay.clientCount, 0);

      await alice.close();
      await bob.close();
      const server = net.createServer((s) => s.destroy());
      await withTimeout(
        new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, HOST, () => resolve());
        }),
        'the port to be free',
      );
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
  });

  describe('peer ping', function () {
    it('measures a round trip to another peer', async function () {
      const relay = await startRelay(cleanup);
      const port = relay.address().port;
      const alice = await connectClient(cleanup, port, { name: 'alice' });
      const bob = await connectClient(cleanup, port, { name: 'bob' });
      const rtt = await withTimeout(alice.pingPeer(bob.clientId), 'the peer ping');
      assert.equal(typeof rtt, 'number');
      assert.ok(rtt > 0 && Number.isFinite(rtt), `rtt ${rtt}`);
    });

    it('rejects a ping to an unknown peer and keeps the connection', async function () {
      const relay = await startRelay(cleanup);
      const port = relay.address().port;
      const alice = await connectClient(cleanup, port, { name: 'alice' });
      const bob = await connectClient(cleanup, port, { name: 'bob' });
      await assert.rejects(withTimeout(alice.pingPeer(generateIdentity().clientId, 1000), 'the ping to settle'), TeamMessengerError);
      assert.equal(alice.state, 'connected');
      await barrier(alice, bob, 'bob');
    });

    it("rejects a ping to an unknown peer with the relay's NO_SUCH_PEER, not a timeout", async function () {
      const relay = await startRelay(cleanup);
      const alice = await connectClient(cleanup, relay.address().port, { name: 'alice' });
      await rejectsWithCode(alice.pingPeer(generateIdentity().clientId, 1000), ErrorCode.NoSuchPeer, 'ping to an unknown peer');
    });
  });

  describe('typing', function () {
    it('reaches only the conversation members who are online, and is never stored', async function () {
      const relay = await startRelay(cleanup);
      const port = relay.address().port;
      const alice = await connectClient(cleanup, port, { name: 'alice' });
      const bob = await connectClient(cleanup, port, { name: 'bob' });
      const carol = await connectClient(cleanup, port, { name: 'carol' });
      alice.sendTyping([bob.clientId]);
      const typing = await bob.waitFor('typing', () => true, 'bob to see alice typing');
      assert.equal(typing.from, alice.clientId);
      assert.equal(typing.fromName, 'alice');
      assert.deepEqual(typing.to, [bob.clientId]);
      await barrier(alice, carol, 'carol'); // anything for carol sent before this has arrived
      assert.equal(carol.events.typing.length, 0);
      alice.sendTyping('all');
      await carol.waitFor('typing', (t) => t.to === 'all', 'carol to see alice typing to everyone');
      assert.equal(alice.events.typing.length, 0, 'the typist is not told about itself');
      // Not stored: a newcomer gets no replay of it.
      const dave = await connectClient(cleanup, port, { name: 'dave' });
      await barrier(alice, dave, 'dave');
      assert.equal(dave.events.typing.length, 0);
    });
  });

  describe('status', function () {
    it("reaches the others as 'peer-updated', and newcomers see it", async function () {
      const relay = await startRelay(cleanup);
      const port = relay.address().port;
      const alice = await connectClient(cleanup, port, { name: 'alice' });
      const bob = await connectClient(cleanup, port, { name: 'bob' });
      alice.setStatus('away');
      assert.equal(alice.status, 'away');
      const update = await bob.waitFor('peer-updated', (p) => p.id === alice.self?.id, 'bob to see alice away');
      assert.equal(update.status, 'away');
      assert.equal(update.clientId, alice.clientId);
      assert.equal(bob.peers.get(alice.self!.id)?.status, 'away');
      const carol = createClient(cleanup, port, { name: 'carol' });
      const welcome = await withTimeout(carol.connect(), 'carol to connect');
      assert.equal(welcome.peers.find((p) => p.id === alice.self?.id)?.status, 'away');
    });

    it('does not put the client itself in its own roster after a status change', async function () {
      const relay = await startRelay(cleanup);
      const port = relay.address().port;
      const alice = await connectClient(cleanup, port, { name: 'alice' });
      const bob = await connectClient(cleanup, port, { name: 'bob' });
      alice.setStatus('busy');
      await bob.waitFor('peer-updated', (p) => p.id === alice.self?.id && p.status === 'busy');
      await barrier(bob, alice, 'alice'); // anything the relay sent alice about it has arrived
      assert.ok(
        !alice.peers.has(alice.self!.id),
        `alice.peers ("online peers, this client excluded") contains alice herself: ${JSON.stringify([...alice.peers.values()].map((p) => p.name))}`,
      );
      assert.equal(alice.events['peer-updated'].filter((p) => p.id === alice.self?.id).length, 0, "alice gets no 'peer-updated' about herself");
    });
  });
});
