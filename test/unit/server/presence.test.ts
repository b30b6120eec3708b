import { strict as assert } from 'node:assert';
import { ErrorCode } from '../../../src/net/protocol/errors';
import { Identity, generateIdentity } from '../../../src/net/identity';
import { RelayMessage, Welcome } from '../../../src/net/protocol/messages';
import { Relay } from '../../../src/server/relay';
import { RawClient, TestRelayOptions, sleep, startRelay, useCleanup, waitUntil } from '../helpers/loopback';

type Of<K extends RelayMessage['t']> = Extract<RelayMessage, { t: K }>;

/** Presence-related frames: what scales with the number of people online. */
const PRESENCE_TYPES = new Set(['joined', 'left', 'peer', 'presence']);

describe('relay presence: full and watched', function () {
  const cleanup = useCleanup();
  let nextPing = 1_000_000;

  async function relayWith(options: TestRelayOptions): Promise<{ relay: Relay; port: number }> {
    // A long interval unless a test is about the count: no count frames to reason about.
    const relay = await startRelay(cleanup, { presenceIntervalMs: 60_000, ...options });
    return { relay, port: relay.address().port };
  }

  /** A raw client that sent a watch set (so it understands presence frames) and answers pings. */
  async function join(
    port: number,
    name: string,
    options: { watch?: string[]; identity?: Identity; machine?: string } = {},
  ): Promise<{ raw: RawClient; welcome: Welcome }> {
    const raw = await RawClient.connect(cleanup, port);
    raw.answerPings = true;
    const welcome = await raw.handshake({
      name,
      watch: options.watch ?? [],
      ...(options.identity ? { identity: options.identity } : {}),
      ...(options.machine ? { machine: options.machine } : {}),
    });
    return { raw, welcome };
  }

  /** Everything the relay meant for `raw` before this call has arrived (it writes in order). */
  async function settled(raw: RawClient): Promise<void> {
    const n = nextPing++;
    raw.send({ t: 'ping', n });
    await raw.waitFor((m) => m.t === 'pong' && m.n === n, `pong ${n}`);
  }

  async function leave(relay: Relay, raw: RawClient): Promise<void> {
    const before = relay.clientCount;
    raw.socket.destroy();
    await waitUntil(() => relay.clientCount < before, relay, ['peer-left'], 'the relay to see the leave');
  }

  function ofType<K extends RelayMessage['t']>(raw: RawClient, t: K): Of<K>[] {
    return raw.messages.filter((m): m is Of<K> => m.t === t);
  }

  it('below the limit: full presence as before, and the welcome says so with the online count', async function () {
    const { port } = await relayWith({ fullPresenceLimit: 4 });
    const a = await join(port, 'alice');
    const b = await join(port, 'bob');
    assert.equal(a.welcome.presence, 'full');
    assert.equal(a.welcome.online, 1);
    assert.equal(b.welcome.presence, 'full');
    assert.equal(b.welcome.online, 2);
    assert.deepEqual(
      b.welcome.peers.map((p) => p.name),
      ['alice'],
    );
    await a.raw.waitFor((m) => m.t === 'joined' && m.peer.name === 'bob', 'alice told bob joined');
    b.raw.send({ t: 'status', status: 'busy' });
    await a.raw.waitFor((m) => m.t === 'peer' && m.peer.status === 'busy', 'alice told bob is busy');
  });

  it('a full-presence welcome lists everyone else as they are now, in the order they came: a status changed since, a leave gone, a second connection of one identity', async function () {
    // More people than fit in one of the roster's chunks (32), so welcomes share some and not others.
    const { relay, port } = await relayWith({ fullPresenceLimit: 100 });
    const clients: { name: string; raw: RawClient; welcome: Welcome }[] = [];
    for (let i = 0; i < 40; i++) clients.push({ name: `p${i}`, ...(await join(port, `p${i}`)) });
    const seen = await join(port, 'early');
    assert.deepEqual(
      seen.welcome.peers.map((p) => p.name),
      clients.map((c) => c.name),
    );

    clients[5].raw.send({ t: 'status', status: 'busy' });
    clients[38].raw.send({ t: 'status', status: 'away' });
    await seen.raw.waitFor((m) => m.t === 'peer' && m.peer.name === 'p5' && m.peer.status === 'busy', 'p5 is busy');
    await seen.raw.waitFor((m) => m.t === 'peer' && m.peer.name === 'p38' && m.peer.status === 'away', 'p38 is away');
    // p5's chunk (the first 32) is as it was for the last welcome: only its changed status tells.
    const mid = await join(port, 'mid');
    assert.deepEqual(
      mid.welcome.peers.filter((p) => p.status !== 'online').map((p) => [p.name, p.status]),
      [
        ['p5', 'busy'],
        ['p38', 'away'],
      ],
    );
    await leave(relay, mid.raw);
    await leave(relay, clients[17].raw);
    await leave(relay, seen.raw);
    const identity = generateIdentity();
    const laptop = await join(port, 'twin', { identity, machine: 'laptop' });
    const desktop = await join(port, 'twin', { identity, machine: 'desktop' });
    assert.deepEqual(
      desktop.welcome.peers.filter((p) => p.name === 'twin').map((p) => p.machine),
      ['laptop'],
      'its own other connection, not itself',
    );

    const zed = await join(port, 'zed');
    const expected = [...clients.filter((c) => c.name !== 'p17').map((c) => c.name), 'twin', 'twin'];
    assert.deepEqual(
      zed.welcome.peers.map((p) => p.name),
      expected,
    );
    const status = new Map(zed.welcome.peers.map((p) => [p.name, p.status]));
    assert.equal(status.get('p5'), 'busy');
    assert.equal(status.get('p38'), 'away');
    assert.equal(status.get('p6'), 'online');
    assert.deepEqual(
      zed.welcome.peers.slice(-2).map((p) => [p.id, p.machine]),
      [
        [laptop.welcome.id, 'laptop'],
        [desktop.welcome.id, 'desktop'],
      ],
    );
    assert.equal(zed.welcome.online, 41, '39 of the first, twin, zed');
  });

  it('switches to watched above the limit, and back to full only at half of it (hysteresis)', async function () {
    const { relay, port } = await relayWith({ fullPresenceLimit: 4 });
    const first = [];
    for (const name of ['c1', 'c2', 'c3', 'c4']) {
      const c = await join(port, name);
      assert.equal(c.welcome.presence, 'full', `${name} joins a full relay`);
      first.push(c);
    }
    const c5 = await join(port, 'c5');
    assert.equal(c5.welcome.presence, 'watched', 'the fifth identity is over the limit of 4');
    assert.equal(c5.welcome.online, 5);
    assert.deepEqual(c5.welcome.peers, [], 'a newcomer watching nobody gets no roster');
    for (const c of first) {
      const switched = await c.raw.waitFor<Of<'presence'>>((m) => m.t === 'presence', 'the switch to watched');
      assert.equal(switched.mode, 'watched');
      assert.equal(switched.online, 5);
      assert.equal(switched.peers, undefined);
    }
    await settled(first[0].raw);
    assert.equal(ofType(first[0].raw, 'joined').filter((j) => j.peer.name === 'c5').length, 0, 'nobody watches c5: its join went to nobody');

    // Down to 3 (not above 4, but above 2): still watched.
    await leave(relay, c5.raw);
    await leave(relay, first[3].raw);
    const c6 = await join(port, 'c6');
    assert.equal(c6.welcome.presence, 'watched', 'at 4 online the relay stays watched: it only returns at half the limit');
    await leave(relay, c6.raw);
    await settled(first[0].raw);
    assert.deepEqual(
      ofType(first[0].raw, 'presence').map((p) => p.mode),
      ['watched'],
      'no switch back yet',
    );

    // Down to 2: full again, and everyone gets the whole roster.
    await leave(relay, first[2].raw);
    for (const c of first.slice(0, 2)) {
      const back = await c.raw.waitFor<Of<'presence'>>((m) => m.t === 'presence' && m.mode === 'full', 'the switch back to full');
      assert.equal(back.online, 2);
      assert.deepEqual(back.peers?.map((p) => p.name).sort(), ['c1', 'c2'], 'the roster lists everyone online (each client skips itself)');
    }
    const c7 = await join(port, 'c7');
    assert.equal(c7.welcome.presence, 'full');
    assert.deepEqual(c7.welcome.peers.map((p) => p.name).sort(), ['c1', 'c2']);
    await first[0].raw.waitFor((m) => m.t === 'joined' && m.peer.name === 'c7', 'c1 told c7 joined in full mode');
  });

  it('in watched mode, joins, status changes and leaves reach only the clients watching that identity', async function () {
    const { relay, port } = await relayWith({ fullPresenceLimit: 1 });
    const x = generateIdentity();
    const watcher = await join(port, 'watcher', { watch: [x.clientId] });
    const other = await join(port, 'other');
    assert.equal(other.welcome.presence, 'watched');
    await watcher.raw.waitFor((m) => m.t === 'presence' && m.mode === 'watched', 'the watcher told of the switch');

    const xc = await join(port, 'xavier', { identity: x });
    const joined = await watcher.raw.waitFor<Of<'joined'>>((m) => m.t === 'joined', 'the watcher told xavier joined');
    assert.equal(joined.peer.clientId, x.clientId);
    assert.equal(joined.peer.name, 'xavier');
    xc.raw.send({ t: 'status', status: 'away' });
    await watcher.raw.waitFor((m) => m.t === 'peer' && m.peer.clientId === x.clientId && m.peer.status === 'away', 'the watcher told xavier is away');
    await leave(relay, xc.raw);
    const left = await watcher.raw.waitFor<Of<'left'>>((m) => m.t === 'left', 'the watcher told xavier left');
    assert.equal(left.clientId, x.clientId);

    await settled(other.raw);
    assert.deepEqual(
      other.raw.messages.filter((m) => m.t === 'joined' || m.t === 'left' || m.t === 'peer'),
      [],
      'a client watching nobody hears of no one',
    );
    assert.equal(ofType(watcher.raw, 'joined').length, 1, 'the watcher heard only of xavier (not of "other")');
  });

  it('a watched-mode welcome lists the watched peers online and offline, and the recently seen', async function () {
    const { relay, port } = await relayWith({ fullPresenceLimit: 1 });
    const gone = generateIdentity();
    const here = generateIdentity();
    const unknown = generateIdentity();
    const g = await join(port, 'gone', { identity: gone });
    await leave(relay, g.raw);
    await join(port, 'here', { identity: here });
    await join(port, 'bystander');
    const n = await join(port, 'newcomer', { watch: [gone.clientId, here.clientId, unknown.clientId] });
    assert.equal(n.welcome.presence, 'watched');
    assert.equal(n.welcome.online, 3);
    assert.deepEqual(
      n.welcome.peers.map((p) => p.clientId),
      [here.clientId],
      'only the watched identity that is online',
    );
    assert.deepEqual(
      n.welcome.known.map((k) => k.clientId),
      [gone.clientId],
      'the watched offline identity (also the one most recently seen)',
    );
    assert.equal(n.welcome.known[0].name, 'gone');
  });

  it('watch replaces the watch set and is answered with who of them is online and who is offline', async function () {
    const { relay, port } = await relayWith({ fullPresenceLimit: 1 });
    const x = generateIdentity();
    const y = generateIdentity();
    const never = generateIdentity();
    const a = await join(port, 'alice');
    await join(port, 'filler');
    const yc = await join(port, 'yvonne', { identity: y });
    await leave(relay, yc.raw);
    const xc = await join(port, 'xavier', { identity: x });

    a.raw.send({ t: 'watch', ids: [x.clientId, y.clientId, never.clientId] });
    const answer = await a.raw.waitForType('watching');
    assert.deepEqual(
      answer.peers.map((p) => [p.clientId, p.name, p.id]),
      [[x.clientId, 'xavier', xc.welcome.id]],
    );
    assert.deepEqual(
      answer.known.map((k) => [k.clientId, k.name]),
      [[y.clientId, 'yvonne']],
    );
    await leave(relay, xc.raw);
    await a.raw.waitFor((m) => m.t === 'left' && m.clientId === x.clientId, 'alice, now watching xavier, told he left');

    a.raw.send({ t: 'watch', ids: [] });
    await a.raw.waitFor((m) => m.t === 'watching' && m.peers.length === 0 && m.known.length === 0, 'the empty answer');
    await join(port, 'xavier again', { identity: x });
    await settled(a.raw);
    assert.equal(ofType(a.raw, 'joined').length, 0, 'after watching nobody, alice hears of no one');
  });

  it('bounds watch-set entries relay-wide: a watch past the bound is cut and its sender told WATCH_LIMIT', async function () {
    const { relay, port } = await relayWith({ fullPresenceLimit: 1, maxWatchEntries: 3 });
    const [x, y, z] = [generateIdentity(), generateIdentity(), generateIdentity()];
    const a = await join(port, 'alice', { watch: [x.clientId, y.clientId] });
    const b = await join(port, 'bob', { watch: [x.clientId, y.clientId, z.clientId] });
    const cut = await b.raw.waitForType('error');
    assert.equal(cut.code, ErrorCode.WatchLimit);
    assert.equal(cut.fatal, false);
    assert.match(cut.message, /2 of the 3 you asked for are not watched/);
    assert.equal(ofType(a.raw, 'error').length, 0, 'alice, within the bound, was told nothing');

    // Bob's one entry (x) works: he hears of x, not of z.
    await join(port, 'zed', { identity: z });
    const xc = await join(port, 'xavier', { identity: x });
    await b.raw.waitFor((m) => m.t === 'joined' && m.peer.clientId === x.clientId, 'bob told xavier joined');
    await settled(b.raw);
    assert.deepEqual(
      ofType(b.raw, 'joined').map((j) => j.peer.name),
      ['xavier'],
    );
    await leave(relay, xc.raw);

    // Alice leaving frees her two: bob's next watch is taken whole.
    await leave(relay, a.raw);
    b.raw.send({ t: 'watch', ids: [x.clientId, y.clientId, z.clientId] });
    const answer = await b.raw.waitForType('watching');
    assert.deepEqual(
      answer.peers.map((p) => p.name),
      ['zed'],
    );
    await settled(b.raw);
    assert.equal(ofType(b.raw, 'error').length, 1, 'no second WATCH_LIMIT');
    assert.equal(relay.watchEntryCount, 3);
  });

  it('who finds peers by name, machine or client id prefix, online first, with limit and more; a hostile query is just text', async function () {
    const { relay, port } = await relayWith({});
    const bobId = generateIdentity();
    const asker = await join(port, 'asker');
    await join(port, 'Alice', { machine: 'build-box' });
    await join(port, 'alina', { machine: 'laptop' });
    await join(port, 'bob', { machine: 'ALICE-PC', identity: bobId });
    await join(port, '<b onclick="x()">mallory</b>', { machine: 'evil' });
    const alicia = await join(port, 'alicia', { machine: 'old-box' });
    await leave(relay, alicia.raw);

    let n = 1;
    const who = async (query: string, limit?: number) => {
      const asked = n++;
      asker.raw.send({ t: 'who', n: asked, query, ...(limit ? { limit } : {}) });
      return asker.raw.waitFor<Of<'who-result'>>((m) => m.t === 'who-result' && m.n === asked, `the answer to who ${JSON.stringify(query)}`);
    };

    const ali = await who('ALI');
    assert.deepEqual(ali.peers.map((p) => p.name).sort(), ['Alice', 'alina', 'bob'], 'names and machines, any case');
    assert.deepEqual(
      ali.known.map((k) => k.name),
      ['alicia'],
      'offline identities after the online ones',
    );
    assert.equal(ali.more, false);

    const two = await who('ali', 2);
    assert.equal(two.peers.length, 2);
    assert.deepEqual(two.known, []);
    assert.equal(two.more, true, 'more matched than the limit');
    const four = await who('ali', 4);
    assert.equal(four.peers.length + four.known.length, 4);
    assert.equal(four.more, false, 'exactly the matches: nothing more');

    const byId = await who(bobId.clientId.slice(0, 8));
    assert.deepEqual(
      byId.peers.map((p) => p.clientId),
      [bobId.clientId],
    );

    assert.deepEqual(
      (await who('<b onclick')).peers.map((p) => p.machine),
      ['evil'],
      'markup is matched as text',
    );
    for (const hostile of ['.*', '(a+)+$', '%', '\u0000', '"; DROP TABLE peers; --', '\\']) {
      const r = await who(hostile);
      assert.deepEqual([r.peers, r.known, r.more], [[], [], false], `${JSON.stringify(hostile)} matches nothing`);
    }
    assert.deepEqual((await who('asker')).peers, [], 'the one asking is not in its own results');
    assert.equal(asker.raw.isClosed, false);
    assert.deepEqual(asker.raw.decodeErrors, []);
  });

  it('counts who against the message rate like any message, and says so at once when over it', async function () {
    // Hello takes one of the three tokens of the burst; the rate refills one a second.
    const { port } = await relayWith({ messagesPerSecond: 1, messageBurst: 3 });
    const a = await join(port, 'alice');
    for (let n = 1; n <= 3; n++) a.raw.send({ t: 'who', n, query: 'x' });
    const refused = await a.raw.waitFor<Of<'error'>>((m) => m.t === 'error', 'the rate-limit error');
    assert.equal(refused.code, ErrorCode.RateLimited);
    assert.equal(refused.ref, 'who-3');
    assert.equal(refused.fatal, false);
    assert.deepEqual(
      ofType(a.raw, 'who-result').map((r) => r.n),
      [1, 2],
    );
  });

  it('has a search budget of its own, far below the message rate: extra searches are refused at once, not run', async function () {
    const { relay, port } = await relayWith({ searchesPerSecond: 2 });
    const a = await join(port, 'alice');
    const b = await join(port, 'bob');
    // The burst is twice the rate: 4 searches run, the next ones in the same instant do not.
    for (let n = 1; n <= 8; n++) a.raw.send({ t: 'who', n, query: 'nobody matches this' });
    await settled(a.raw);
    assert.deepEqual(
      ofType(a.raw, 'who-result').map((r) => r.n),
      [1, 2, 3, 4],
    );
    const refused = ofType(a.raw, 'error');
    assert.deepEqual(
      refused.map((e) => e.ref),
      ['who-5', 'who-6', 'who-7', 'who-8'],
    );
    assert.ok(refused.every((e) => e.code === ErrorCode.RateLimited && !e.fatal));
    // Chatting is not affected, and bob's searches have their own budget.
    b.raw.send({ t: 'who', n: 1, query: 'ali' });
    const found = await b.raw.waitFor<Of<'who-result'>>((m) => m.t === 'who-result', "bob's search");
    assert.equal(found.peers[0]?.name, 'alice');
    assert.equal(relay.clientCount, 2);
  });

  it('in watched mode sends the online count every interval, only when it changed', async function () {
    const { relay, port } = await relayWith({ fullPresenceLimit: 1, presenceIntervalMs: 50 });
    const a = await join(port, 'alice');
    await join(port, 'bob');
    await a.raw.waitFor((m) => m.t === 'presence' && m.online === 2, 'the switch, with 2 online');
    const carol = await join(port, 'carol');
    await a.raw.waitFor((m) => m.t === 'presence' && m.mode === 'watched' && m.online === 3, 'the count of 3');
    await sleep(400); // eight intervals without a change
    assert.equal(ofType(a.raw, 'presence').filter((p) => p.online === 3).length, 1, 'an unchanged count is not repeated');
    await leave(relay, carol.raw);
    await a.raw.waitFor((m) => m.t === 'presence' && m.online === 2 && ofType(a.raw, 'presence').length >= 3, 'the count back at 2');
  });

  it('never sends a presence frame to a client that sent no watch set (an older client)', async function () {
    const { port } = await relayWith({ fullPresenceLimit: 1, presenceIntervalMs: 50 });
    const old = await RawClient.connect(cleanup, port);
    old.answerPings = true;
    const welcome = await old.handshake({ name: 'old' });
    assert.equal(welcome.presence, 'full');
    const a = await join(port, 'alice');
    await join(port, 'bob');
    await a.raw.waitFor((m) => m.t === 'presence' && m.online === 3, 'alice hears the count');
    await settled(old);
    assert.deepEqual(ofType(old, 'presence'), []);
    assert.equal(old.isClosed, false);
  });

  it('300 lean clients with a limit of 50: presence frames stay far below N² (counted, not timed)', async function () {
    this.timeout(60_000);
    const N = 300;
    const { relay, port } = await relayWith({ fullPresenceLimit: 50, presenceIntervalMs: 500, admission: { maxConnectionsPerAddress: N + 10 } });
    const identities = Array.from({ length: N }, () => generateIdentity());
    const clients: { raw: RawClient; welcome: Welcome }[] = [];
    for (let i = 0; i < N; i += 10) {
      // Each watches the two identities after it, like a person watching their conversations.
      const batch = identities
        .slice(i, i + 10)
        .map((identity, k) => join(port, `lean-${i + k}`, { identity, watch: [identities[(i + k + 1) % N].clientId, identities[(i + k + 2) % N].clientId] }));
      clients.push(...(await Promise.all(batch)));
    }
    assert.equal(relay.clientCount, N);
    // Half of them leave again.
    for (const c of clients.slice(0, N / 2)) c.raw.socket.destroy();
    await waitUntil(() => relay.clientCount === N / 2, relay, ['peer-left'], 'half of the clients to have left', 20_000);
    const stayed = clients.slice(N / 2);
    await Promise.all(stayed.map((c) => settled(c.raw)));

    let frames = 0;
    let rosterEntries = 0;
    for (const c of clients) {
      rosterEntries += c.welcome.peers.length + c.welcome.known.length;
      for (const m of c.raw.messages) {
        if (!PRESENCE_TYPES.has(m.t)) continue;
        frames++;
        if (m.t === 'presence') rosterEntries += m.peers?.length ?? 0;
      }
    }
    // Full presence throughout would be ~N²/2 join frames plus as many roster entries in
    // welcomes (and as many leave frames again): tens of thousands each.
    const fullPresenceJoins = (N * (N - 1)) / 2;
    assert.ok(frames < fullPresenceJoins / 10, `${frames} presence frames; full presence would send ${fullPresenceJoins} joins alone`);
    assert.ok(rosterEntries < fullPresenceJoins / 10, `${rosterEntries} roster entries; full presence would list ${fullPresenceJoins}`);
    assert.equal(stayed[0].welcome.presence, 'watched');
    // Watching still works at scale.
    const last = clients[N - 1]; // watches identities 0 and 1, both left
    assert.ok(
      last.raw.messages.some((m) => m.t === 'left' && m.clientId === identities[0].clientId),
      'the last client, watching the first, was told it left',
    );
  });
});
