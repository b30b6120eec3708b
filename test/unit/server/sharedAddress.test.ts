import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { FrameKind, encodeFrame } from '../../../src/net/protocol/frame';
import type { IncomingTransfer } from '../../../src/net/transfer/incomingTransfer';
import { createCertificate } from '../../../src/server/certificate';
import { Cleanup, HOST, TestClient, createClient, seededBytes, sleep, startRelay, tempDir, useCleanup, withTimeout } from '../helpers/loopback';
import { LogCapture, gcAvailable, holdings, relayAdmission, settledMemory, until } from '../helpers/security';
import { sha256File, writeSeededFile } from '../helpers/transferFixture';

const MiB = 1024 * 1024;
const PER_KIND = 1000;
/** What the issue asks of every honest send while junk holds the address. */
const ACK_WITHIN_MS = 2000;
const MEMORY_SLACK = gcAvailable() ? 16 * MiB : 50 * MiB;

type JunkKind = 'idle' | 'random bytes' | '4 GB header' | 'slow-drip hello';
const KINDS: JunkKind[] = ['idle', 'random bytes', '4 GB header', 'slow-drip hello'];

/**
 * Junk sockets of one kind, all from 127.0.0.1 like the honest clients (one NAT address). Each
 * is opened once; the relay may refuse, evict or time it out. Opened in batches, as fast as the
 * listen backlog takes them.
 */
class Junk {
  readonly sockets = new Set<net.Socket>();
  private readonly closings: Promise<void>[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  opened = 0;

  constructor(
    private readonly port: number,
    readonly kind: JunkKind,
  ) {}

  async open(count: number, batch = 100): Promise<void> {
    for (let done = 0; done < count; done += batch) {
      await Promise.all(Array.from({ length: Math.min(batch, count - done) }, (_, i) => this.openOne(done + i)));
    }
  }

  async destroyAll(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.closings);
  }

  private openOne(n: number): Promise<void> {
    const secure = this.kind === '4 GB header' || this.kind === 'slow-drip hello';
    const socket: net.Socket = secure
      ? tls.connect({ host: HOST, port: this.port, rejectUnauthorized: false })
      : net.connect({ host: HOST, port: this.port, localAddress: HOST });
    this.opened++;
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    this.closings.push(new Promise((resolve) => socket.once('close', () => resolve())));
    socket.once('close', () => this.sockets.delete(socket));
    const ready = secure ? 'secureConnect' : 'connect';
    socket.once(ready, () => {
      if (this.kind === 'random bytes') socket.write(seededBytes(4096, n));
      else if (this.kind === '4 GB header') socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff, FrameKind.Control, 0, 0, 0, 0, 0]));
      else if (this.kind === 'slow-drip hello')
        this.drip(socket, encodeFrame(FrameKind.Control, Buffer.from(JSON.stringify({ t: 'hello', v: 1, name: `drip ${n}`, pad: 'x'.repeat(200) }))));
    });
    // Settled once connected (or refused at once): the flood goes on without waiting for more.
    return new Promise((resolve) => {
      socket.once(ready, () => resolve());
      socket.once('close', () => resolve());
    });
  }

  /** One byte every 100 ms: never a whole hello before the deadline. */
  private drip(socket: net.Socket, bytes: Buffer): void {
    let at = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || at >= bytes.length) {
        clearInterval(timer);
        this.timers.delete(timer);
        return;
      }
      socket.write(bytes.subarray(at, ++at));
    }, 100);
    this.timers.add(timer);
  }
}

/** Sends and measures the time to its ack. */
async function timedSend(from: TestClient, to: TestClient, text: string): Promise<number> {
  const started = Date.now();
  await withTimeout(from.send([to.clientId], text), `${from.name}: ack of "${text}"`, 10_000);
  return Date.now() - started;
}

function nextOffer(client: TestClient): Promise<IncomingTransfer> {
  return withTimeout(new Promise<IncomingTransfer>((resolve) => client.once('file-offer', resolve)), `${client.name} to be offered a file`, 10_000);
}

describe('one address shared by junk and honest people (a NAT office)', function () {
  this.timeout(90_000);
  const cleanup: Cleanup = useCleanup();

  it(`${PER_KIND} junk sockets of each kind from 127.0.0.1 never lock out two honest clients on it: they connect, chat and send a file`, async function () {
    const cert = createCertificate({ commonName: 'relay', altNames: ['127.0.0.1'] });
    const log = new LogCapture();
    // Default admission limits: what a real relay would do. The login deadline is the tests' 3 s.
    const relay = await startRelay(cleanup, { tls: { certPem: cert.certPem, keyPem: cert.keyPem }, logger: log, floodLogIntervalMs: 500 });
    const port = relay.address().port;
    const baseline = await settledMemory();

    const junk = KINDS.map((kind) => new Junk(port, kind));
    cleanup.add('junk', () => Promise.all(junk.map((j) => j.destroyAll())));
    // The flood starts first and goes on while the honest clients log in and talk.
    const flooding = Promise.all(junk.map((j) => j.open(PER_KIND)));
    await until(() => junk.every((j) => j.opened >= PER_KIND / 4) && true, 'the flood to be under way', 20_000);

    const honest = (name: string) =>
      createClient(cleanup, port, { name, tls: { fingerprint: cert.fingerprint256 }, backoff: { initialMs: 50, maxMs: 500 }, connectTimeoutMs: 5000 });
    const alice = honest('alice');
    const bob = honest('bob');
    await withTimeout(Promise.all([alice.connect(), bob.connect()]), 'alice and bob to log in during the flood', 30_000);
    const loginRetries = alice.events.disconnected.length + bob.events.disconnected.length;
    // They got in while junk still held the address's sockets, not after it timed out.
    const junkHeldAtLogin = relayAdmission(relay).startingCount;
    assert.ok(junkHeldAtLogin > 0, 'junk still held sockets when alice and bob logged in');

    const ackTimes: number[] = [];
    const dir = tempDir(cleanup);
    const file = path.join(dir, 'notes.bin');
    const hash = writeSeededFile(file, 2 * MiB, 23);
    const offered = nextOffer(bob);
    const outgoing = await alice.sendFiles(bob.clientId, [file]);
    const incoming = await offered;
    await incoming.accept({ dir: path.join(dir, 'in') });
    for (let i = 0; i < 20; i++) {
      ackTimes.push(await timedSend(alice, bob, `alice ${i}`), await timedSend(bob, alice, `bob ${i}`));
      await sleep(20);
    }
    const [received] = await withTimeout<{ path: string }[]>(incoming.done, 'the file to arrive', 30_000);
    await withTimeout(outgoing.done, 'alice to hear the file was verified', 10_000);
    assert.equal(await sha256File(received.path), hash, 'the file arrived intact');
    for (let i = 0; i < 20; i++) {
      await bob.waitForText(`alice ${i}`);
      await alice.waitForText(`bob ${i}`);
    }
    assert.equal(bob.events.message.filter((m) => m.text.startsWith('alice ')).length, 20, 'each message once');
    await flooding;

    const evictions = relayAdmission(relay).evictions;
    const worstAck = Math.max(...ackTimes);
    assert.ok(worstAck <= ACK_WITHIN_MS, `every honest send acknowledged within ${ACK_WITHIN_MS} ms (worst ${worstAck} ms)`);
    for (const c of [alice, bob]) assert.equal(c.state, 'connected', `${c.name} stayed connected`);

    // The junk goes (reaped by the login deadline, or by us); the relay is back to two sessions.
    await Promise.all(junk.map((j) => j.destroyAll()));
    await until(
      () => JSON.stringify(holdings(relay)) === JSON.stringify({ admitted: 2, handshaking: 0, sessions: 2, identities: 2 }) && true,
      'only alice and bob to be held',
    );
    for (const c of [alice, bob]) c.events.message.length = 0;
    const after = await settledMemory();
    assert.ok(after <= baseline + MEMORY_SLACK, `memory after the flood: ${((after - baseline) / MiB).toFixed(1)} MiB above the baseline`);

    // The log stayed small: a flood's lines are counted, not repeated.
    const lines = log.entries.length;
    const byMessage = new Map<string, number>();
    for (const e of log.entries) byMessage.set(e.message, (byMessage.get(e.message) ?? 0) + 1);
    assert.ok(lines < 400, `${lines} log lines for ${KINDS.length * PER_KIND} junk sockets: ${JSON.stringify([...byMessage])}`);
    fs.rmSync(path.join(dir, 'in'), { recursive: true, force: true });
    if (process.env.TM_VERBOSE) {
      const refused = log.count('connection refused');
      process.stderr.write(
        `      evictions ${evictions}, refusals ${refused}, honest login retries ${loginRetries}, junk held at login ${junkHeldAtLogin}, worst ack ${worstAck} ms, ` +
          `${lines} log lines, memory +${((after - baseline) / MiB).toFixed(1)} MiB\n`,
      );
    }
  });
});
