import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { encodeControl } from '../../../../src/net/protocol/controlCodec';
import { Ack, PROTOCOL_VERSION } from '../../../../src/net/protocol/messages';
import { ErrorCode, TeamMessengerError } from '../../../../src/net/protocol/errors';
import { generateIdentity } from '../../../../src/net/identity';
import {
  RelayProcess,
  SECRET,
  TcpProxy,
  TestClient,
  connectClient,
  createClient,
  freePort,
  rejectsWithCode,
  sendAndAck,
  sleep,
  startRelay,
  tempDir,
  useCleanup,
  waitUntil,
  withTimeout,
} from '../../helpers/loopback';

/** Everything `sender` routed to `receiver` before this call has arrived once this resolves. */
async function barrier(sender: TestClient, receiver: TestClient, label: string): Promise<Ack> {
  const text = `barrier ${label} ${Math.random()}`;
  const ack = await sendAndAck(sender, [receiver.clientId], text);
  await receiver.waitForText(text);
  return ack;
}

/** Waits until `client` has been welcomed `count` times in total (first connect included). */
function welcomedTimes(client: TestClient, count: number, label: string) {
  return waitUntil(() => client.events.welcome.length >= count && client.state === 'connected', client, ['welcome', 'state'], label);
}

/** Settles a promise into a value or the error, so a test can describe what happened. */
async function outcome<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

function describeError(error: unknown): string {
  return error instanceof TeamMessengerError ? `${error.code}: ${error.message}` : String(error);
}

const HISTORY_FILE = 'history.jsonl';

describe('reconnect and history across relay restarts', function () {
  const cleanup = useCleanup();

  it('survives a relay restart: queued sends go out once, missed messages are replayed once, seq continues', async function () {
    const dir = tempDir(cleanup);
    const relayA = await startRelay(cleanup, { historyDir: dir });
    const port = relayA.address().port;
    const bobProxy = await TcpProxy.start(cleanup, port);
    const alice = await connectClient(cleanup, port, { name: 'alice' });
    const bob = await connectClient(cleanup, bobProxy.port, { name: 'bob' });

    const firstAck = await sendAndAck(alice, [bob.clientId], 'before anything');
    await bob.waitForText('before anything');

    // Bob's connection drops while the relay stays up; he cannot get back for now.
    bobProxy.refusing = true;
    bobProxy.cutAll();
    await bob.waitFor('disconnected', undefined, 'bob to notice');
    await alice.waitFor('peer-left', (l) => l.clientId === bob.clientId, 'alice to see bob go');
    const missedAck = await sendAndAck(alice, [bob.clientId], 'while bob was away');
    assert.deepEqual(missedAck.offline, [bob.clientId]);

    // The relay goes down. Alice's next message waits in her outbox.
    const aliceDown = alice.waitForNext('disconnected');
    await withTimeout(relayA.stop(), 'relay A to stop');
    assert.equal((await aliceDown).code, ErrorCode.ServerShutdown);
    const queued = alice.send([bob.clientId], 'sent while the relay was down');
    const queuedOutcome = outcome(queued);
    assert.deepEqual(
      alice.pending.map((p) => [p.text, p.state]),
      [['sent while the relay was down', 'queued']],
    );
    await sleep(100);
    assert.equal(alice.pending[0]?.state, 'queued', 'still waiting for a relay');
    assert.notEqual(alice.state, 'connected');

    // A new relay on the same port and the same history folder.
    const relayB = await startRelay(cleanup, { port, historyDir: dir });
    assert.equal(relayB.epoch, relayA.epoch, 'same history, same epoch');
    bobProxy.refusing = false;

    const result = await withTimeout(queuedOutcome, 'the queued message to be acked');
    assert.ok(result.ok, `the queued message failed: ${result.ok ? '' : describeError(result.error)}`);
    const queuedAck = result.value;
    await welcomedTimes(alice, 2, 'alice to reconnect');
    await welcomedTimes(bob, 2, 'bob to reconnect');

    const missed = await bob.waitForText('while bob was away');
    assert.equal(missed.replay, true);
    assert.equal(missed.id, missedAck.id);
    assert.equal(missed.seq, missedAck.seq);
    const late = await bob.waitForText('sent while the relay was down');
    assert.equal(late.id, queuedAck.id);
    assert.deepEqual(alice.pending, []);

    const after = await barrier(alice, bob, 'bob');
    for (const text of ['before anything', 'while bob was away', 'sent while the relay was down']) {
      assert.equal(bob.received(text).length, 1, `bob received "${text}" exactly once`);
    }
    assert.deepEqual([firstAck.seq, missedAck.seq, queuedAck.seq, after.seq], [1, 2, 3, 4], 'seq continues from the previous relay');
    assert.ok(queuedAck.id.startsWith(relayA.epoch), 'ids carry the same epoch');
  });

  it('survives a relay crash (SIGKILL): acked messages are replayed once from disk and seq continues', async function () {
    const dir = tempDir(cleanup);
    const crashing = await RelayProcess.start(cleanup, { historyDir: dir, auth: { secret: SECRET } });
    const port = crashing.port;
    const bobProxy = await TcpProxy.start(cleanup, port);
    const alice = await connectClient(cleanup, port, { name: 'alice' });
    const bob = await connectClient(cleanup, bobProxy.port, { name: 'bob' });
    await barrier(alice, bob, 'bob');

    bobProxy.refusing = true;
    bobProxy.cutAll();
    await alice.waitFor('peer-left', (l) => l.clientId === bob.clientId);
    const acks: Ack[] = [];
    for (let i = 0; i < 3; i++) acks.push(await sendAndAck(alice, [bob.clientId], `acked before the crash ${i}`));

    const aliceDown = alice.waitForNext('disconnected');
    await crashing.crash();
    assert.equal((await aliceDown).code, ErrorCode.ConnectionLost);

    const relayB = await startRelay(cleanup, { port, historyDir: dir });
    assert.equal(relayB.epoch, crashing.epoch, 'same history, same epoch');
    await welcomedTimes(alice, 2, 'alice to reconnect');
    bobProxy.refusing = false;
    await welcomedTimes(bob, 2, 'bob to reconnect');

    for (let i = 0; i < 3; i++) {
      const m = await bob.waitForText(`acked before the crash ${i}`);
      assert.equal(m.replay, true);
      assert.equal(m.id, acks[i].id);
    }
    const next = await barrier(alice, bob, 'bob again');
    for (let i = 0; i < 3; i++) assert.equal(bob.received(`acked before the crash ${i}`).length, 1);
    assert.equal(next.seq, acks[2].seq + 1, 'seq continues after the crash');
  });

  it('after a crash, still knows an identity that joined shortly before (a message to it waits instead of NO_SUCH_PEER)', async function () {
    const dir = tempDir(cleanup);
    const crashing = await RelayProcess.start(cleanup, { historyDir: dir, auth: { secret: SECRET } });
    const port = crashing.port;
    const bobProxy = await TcpProxy.start(cleanup, port);
    const alice = await connectClient(cleanup, port, { name: 'alice' });
    const bob = await connectClient(cleanup, bobProxy.port, { name: 'bob' });
    await alice.waitFor('peer-joined', (p) => p.clientId === bob.clientId);

    // Bob is cut off, then the relay crashes.
    bobProxy.refusing = true;
    bobProxy.cutAll();
    await alice.waitFor('peer-left', (l) => l.clientId === bob.clientId);
    await crashing.crash();
    const savedDirectory = fs.existsSync(path.join(dir, 'peers.json')) ? fs.readFileSync(path.join(dir, 'peers.json'), 'utf8') : '(no peers.json)';

    const queued = outcome(alice.send([bob.clientId], 'for bob, after the crash'));
    await startRelay(cleanup, { port, historyDir: dir });
    const result = await withTimeout(queued, 'the message to bob to settle');
    assert.ok(
      result.ok,
      `alice's message to bob (a teammate the relay knew before the crash) was refused: ${result.ok ? '' : describeError(result.error)}; ` +
        `peers.json at the crash: ${savedDirectory}`,
    );
    assert.deepEqual(result.value.offline, [bob.clientId]);
    bobProxy.refusing = false;
    const got = await bob.waitForText('for bob, after the crash');
    assert.equal(got.replay, true);
  });

  it('delivers once when the ack was lost and the client resends after reconnecting (dedupe by ref)', async function () {
    const relay = await startRelay(cleanup);
    const port = relay.address().port;
    const proxy = await TcpProxy.start(cleanup, port);
    const alice = await connectClient(cleanup, proxy.port, { name: 'alice' });
    const bob = await connectClient(cleanup, port, { name: 'bob' });

    proxy.swallowDownstream = true; // the relay's ack never reaches alice
    const sending = outcome(alice.send([bob.clientId], 'exactly once'));
    const got = await bob.waitForText('exactly once');
    assert.equal(alice.pending[0]?.state, 'sent', 'alice is still waiting for the ack');

    proxy.cutAll();
    proxy.swallowDownstream = false;
    const result = await withTimeout(sending, 'the resent message to be acked');
    assert.ok(result.ok, `the resend failed: ${result.ok ? '' : describeError(result.error)}`);
    assert.equal(alice.events.welcome.length, 2, 'alice reconnected');
    assert.equal(result.value.id, got.id, 'the ack names the message bob already has');
    assert.equal(result.value.seq, got.seq);

    const next = await barrier(alice, bob, 'bob');
    assert.equal(bob.received('exactly once').length, 1, 'bob received it once');
    assert.equal(next.seq, got.seq + 1, 'the resend did not take a sequence number');
  });

  it('recognises a resend after a relay restart too (refs rebuilt from the history on disk)', async function () {
    const dir = tempDir(cleanup);
    const relayA = await startRelay(cleanup, { historyDir: dir });
    const port = relayA.address().port;
    const proxy = await TcpProxy.start(cleanup, port);
    const alice = await connectClient(cleanup, proxy.port, { name: 'alice' });
    const bob = await connectClient(cleanup, port, { name: 'bob' });

    proxy.swallowDownstream = true;
    const sending = outcome(alice.send([bob.clientId], 'once across restarts'));
    const got = await bob.waitForText('once across restarts');
    await withTimeout(relayA.stop(), 'relay A to stop');
    proxy.cutAll();
    proxy.swallowDownstream = false;
    await startRelay(cleanup, { port, historyDir: dir });

    const result = await withTimeout(sending, 'the resent message to be acked');
    assert.ok(result.ok, `the resend failed: ${result.ok ? '' : describeError(result.error)}`);
    assert.equal(result.value.id, got.id);
    await welcomedTimes(bob, 2, 'bob to reconnect');
    await barrier(alice, bob, 'bob');
    assert.equal(bob.received('once across restarts').length, 1, 'delivered once in all');
  });

  it('without a history folder, a restarted relay has a new epoch and clients reconnect and chat', async function () {
    const relayA = await startRelay(cleanup);
    const port = relayA.address().port;
    const alice = await connectClient(cleanup, port, { name: 'alice' });
    const bob = await connectClient(cleanup, port, { name: 'bob' });
    for (let i = 0; i < 5; i++) await barrier(alice, bob, `old ${i}`);
    assert.equal(bob.bookmark?.seq, 5);

    await withTimeout(relayA.stop(), 'relay A to stop');
    const relayB = await startRelay(cleanup, { port });
    assert.notEqual(relayB.epoch, relayA.epoch, 'a relay without history starts a new epoch');
    await welcomedTimes(alice, 2, 'alice to reconnect');
    await welcomedTimes(bob, 2, 'bob to reconnect');
    assert.equal(bob.events.welcome[1].epoch, relayB.epoch);

    // seq starts again at 1 in the new epoch: bob must not mistake it for something he has seen.
    const ack = await sendAndAck(alice, [bob.clientId], 'hello new relay');
    assert.equal(ack.seq, 1);
    assert.ok(ack.id.startsWith(relayB.epoch));
    const got = await bob.waitForText('hello new relay');
    assert.notEqual(got.replay, true);
    await barrier(bob, alice, 'alice');
    assert.deepEqual(bob.bookmark, { epoch: relayB.epoch, seq: 2 });
  });

  it('replays only the last historyMaxEntries messages, and skips a torn last line in history.jsonl', async function () {
    const dir = tempDir(cleanup);
    const relayA = await startRelay(cleanup, { historyDir: dir, historyMaxEntries: 3 });
    const alice = await connectClient(cleanup, relayA.address().port, { name: 'alice' });
    const bobIdentity = generateIdentity();
    const bob1 = await connectClient(cleanup, relayA.address().port, { name: 'bob', identity: bobIdentity });
    const bookmark = bob1.bookmark; // what an app would persist
    assert.ok(bookmark);
    await bob1.close();
    await alice.waitFor('peer-left', (l) => l.clientId === bobIdentity.clientId);
    const acks: Ack[] = [];
    for (let i = 0; i < 6; i++) acks.push(await sendAndAck(alice, [bobIdentity.clientId], `note ${i}`));
    await alice.close();
    await withTimeout(relayA.stop(), 'relay A to stop');

    // A crash in the middle of a write leaves half a line.
    const file = path.join(dir, HISTORY_FILE);
    fs.appendFileSync(file, '{"id":"torn-7","seq":7,"ts":17000,"from":"abc');

    const relayB = await startRelay(cleanup, { historyDir: dir, historyMaxEntries: 3 });
    assert.equal(relayB.epoch, relayA.epoch);
    const bob2 = createClient(cleanup, relayB.address().port, { name: 'bob', identity: bobIdentity, bookmark });
    await withTimeout(bob2.connect(), 'bob to connect to relay B');
    await bob2.waitForText('note 5');
    const replayed = bob2.events.message.filter((m) => m.text.startsWith('note '));
    assert.deepEqual(
      replayed.map((m) => [m.text, m.seq, m.replay]),
      [
        ['note 3', acks[3].seq, true],
        ['note 4', acks[4].seq, true],
        ['note 5', acks[5].seq, true],
      ],
      'only the last three were kept',
    );

    const carol = await connectClient(cleanup, relayB.address().port, { name: 'carol' });
    const ack = await sendAndAck(carol, [bobIdentity.clientId], 'after the torn line');
    assert.equal(ack.seq, acks[5].seq + 1, 'the torn entry did not take a sequence number');
    await bob2.waitForText('after the torn line');
    // The log was rewritten without the torn line.
    for (const line of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)) JSON.parse(line);
  });

  it('never reuses a seq within an epoch, even after retention dropped every entry (a client would skip the new messages)', async function () {
    const dir = tempDir(cleanup);
    const relayA = await startRelay(cleanup, { historyDir: dir });
    const port = relayA.address().port;
    const alice = await connectClient(cleanup, port, { name: 'alice' });
    const bob = await connectClient(cleanup, port, { name: 'bob' });
    for (let i = 0; i < 3; i++) await barrier(alice, bob, `before ${i}`);
    assert.equal(bob.bookmark?.seq, 3);
    await withTimeout(relayA.stop(), 'relay A to stop');

    // The team goes away for a month: every entry is older than the 7-day retention.
    const file = path.join(dir, HISTORY_FILE);
    const monthAgo = Date.now() - 30 * 24 * 3600 * 1000;
    const aged = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.stringify({ ...JSON.parse(line), ts: monthAgo }) + '\n')
      .join('');
    fs.writeFileSync(file, aged);

    const relayB = await startRelay(cleanup, { port, historyDir: dir });
    await welcomedTimes(alice, 2, 'alice to reconnect to B');
    await welcomedTimes(bob, 2, 'bob to reconnect to B');
    await withTimeout(relayB.stop(), 'relay B to stop');
    const relayC = await startRelay(cleanup, { port, historyDir: dir });
    assert.equal(relayC.epoch, relayA.epoch, 'still the same epoch');
    await welcomedTimes(alice, 3, 'alice to reconnect to C');
    await welcomedTimes(bob, 3, 'bob to reconnect to C');

    const ack = await sendAndAck(alice, [bob.clientId], 'back from holidays');
    const got = await outcome(bob.waitForText('back from holidays', 1500));
    assert.ok(
      got.ok,
      `bob never saw "back from holidays": the relay numbered it seq ${ack.seq} in epoch ${relayC.epoch}, ` +
        `which bob (bookmark ${JSON.stringify(bob.bookmark)}) takes for a message he already has`,
    );
    assert.ok(ack.seq > 3, `seq went back to ${ack.seq} within epoch ${relayC.epoch}`);
  });

  it('stops reconnecting on AUTH_FAILED and fails what is pending with it', async function () {
    const relayA = await startRelay(cleanup);
    const port = relayA.address().port;
    const alice = await connectClient(cleanup, port, { name: 'alice' });
    await withTimeout(relayA.stop(), 'relay A to stop');
    const pending = outcome(alice.send('all', 'into a relay with a new secret'));
    const closed = alice.waitFor('state', (s) => s === 'closed', 'alice to give up');

    const relayB = await startRelay(cleanup, { port, auth: { secret: 'the secret was rotated' } });
    await closed;
    const codes = alice.events.disconnected.map((e) => e.code);
    assert.equal(codes[codes.length - 1], ErrorCode.AuthFailed, `disconnects: ${codes.join(', ')}`);
    const result = await withTimeout(pending, 'the pending send to settle');
    assert.ok(
      !result.ok && result.error instanceof TeamMessengerError && result.error.code === ErrorCode.AuthFailed,
      `pending send: ${result.ok ? 'acked' : describeError(result.error)}`,
    );
    assert.deepEqual(alice.pending, []);

    const statesAtClose = alice.events.state.length;
    await sleep(250); // longer than the maximum backoff: no further attempt
    assert.equal(alice.events.state.length, statesAtClose, `no state change after closing: ${alice.events.state.join(' -> ')}`);
    assert.equal(alice.state, 'closed');
    assert.equal(relayB.clientCount, 0);
    await rejectsWithCode(alice.send('all', 'after'), ErrorCode.Closed, 'send after the client closed');
  });

  it('does not retry forever when the relay refuses its hello as malformed (a name with edge spaces)', async function () {
    const relay = await startRelay(cleanup);
    const port = relay.address().port;
    // Either refusing the name up front or giving up after the relay's BAD_MESSAGE is fine;
    // reconnecting in a loop with connect() never settling is not.
    let client: TestClient | undefined;
    try {
      client = createClient(cleanup, port, { name: ' bob ' });
    } catch (err) {
      assert.ok(err instanceof Error);
      return;
    }
    const created = client;
    const result = await outcome(
      withTimeout(
        Promise.resolve().then(() => created.connect()),
        'connect() with an invalid name to settle',
        2000,
      ),
    );
    const codes = created.events.disconnected.map((e) => e.code);
    assert.ok(
      !result.ok && result.error instanceof TeamMessengerError,
      `connect() should fail: ${result.ok ? 'it connected' : describeError(result.error)}; ` +
        `meanwhile the client was refused ${codes.length} time(s) (${[...new Set(codes)].join(', ')}) and is '${created.state}'`,
    );
    assert.equal(created.state, 'closed');
    assert.ok(codes.length <= 1, `refused ${codes.length} times`);
    assert.equal(relay.clientCount, 0);
  });

  it('gives up when the relay refuses its hello as malformed, instead of asking again forever', async function () {
    // A relay (perhaps a newer one) that answers every hello with a fatal BAD_MESSAGE.
    let hellos = 0;
    const server = net.createServer((socket) => {
      socket.write(encodeControl({ t: 'challenge', v: PROTOCOL_VERSION, nonce: 'n'.repeat(32), auth: false }));
      socket.once('data', () => {
        hellos++;
        socket.end(encodeControl({ t: 'error', code: ErrorCode.BadMessage, message: 'invalid "hello" message at name', fatal: true }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.add('fake relay', () => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as net.AddressInfo).port;
    const client = createClient(cleanup, port, { name: 'bob' });
    const result = await outcome(withTimeout(client.connect(), 'connect() refused by the relay to settle', 3000));
    assert.ok(
      !result.ok && result.error instanceof TeamMessengerError && result.error.code === ErrorCode.BadMessage,
      result.ok ? 'connected' : describeError(result.error),
    );
    assert.equal(client.state, 'closed');
    await new Promise((r) => setTimeout(r, 300)); // would be several more attempts with this backoff
    assert.equal(hellos, 1);
  });

  it("keeps trying an unreachable relay ('reconnecting'); close() stops it and rejects pending sends with CLOSED", async function () {
    const port = await freePort();
    const client = createClient(cleanup, port, { name: 'alice' });
    const connecting = outcome(client.connect());
    assert.equal(client.state, 'connecting');
    await waitUntil(() => client.events.disconnected.length >= 3, client, ['disconnected'], 'three failed attempts');
    assert.ok(
      client.events.disconnected.every((e) => e.code === ErrorCode.Unreachable),
      `codes: ${client.events.disconnected.map((e) => e.code).join(', ')}`,
    );
    assert.equal(client.state, 'reconnecting');
    const sending = outcome(client.send('all', 'anyone?'));
    assert.equal(client.pending[0]?.state, 'queued');

    await withTimeout(client.close(), 'close() to finish');
    assert.equal(client.state, 'closed');
    const sent = await sending;
    assert.ok(
      !sent.ok && sent.error instanceof TeamMessengerError && sent.error.code === ErrorCode.Closed,
      `pending send: ${sent.ok ? 'acked' : describeError(sent.error)}`,
    );
    const connected = await connecting;
    assert.ok(!connected.ok && connected.error instanceof TeamMessengerError && connected.error.code === ErrorCode.Closed, 'connect() rejects with CLOSED');
    assert.deepEqual(client.pending, []);

    const attempts = client.events.disconnected.length;
    await sleep(250); // longer than the maximum backoff
    assert.equal(client.events.disconnected.length, attempts, 'no attempt after close()');
  });
});
