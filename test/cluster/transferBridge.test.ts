// File transfers between people on different relays of a cluster: the data goes relay to relay
// over core NATS, paced by the receiver's credit, and a transfer cut by the death of a relay
// resumes once the receiver is back on another one.
import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TeamClient } from '../../src/net/client/teamClient';
import type { IncomingTransfer } from '../../src/net/transfer/incomingTransfer';
import type { TransferProgress } from '../../src/net/transfer/progress';
import { entriesOf, MiB, seesPeers, sha256File, useTransferFixture, when, within, writeSeededFile } from '../unit/helpers/transferFixture';
import { NatsCluster, startNats } from './natsServers';
import { RELAY_HOST, RELAY_SECRET, RelayProcess } from './relayProcesses';

function nextOffer(client: TeamClient): Promise<IncomingTransfer> {
  return within(new Promise<IncomingTransfer>((resolve) => client.once('file-offer', resolve)), `${client.name} to be offered files`);
}

function progressAtLeast(transfer: IncomingTransfer, bytes: number): Promise<TransferProgress> {
  let last: TransferProgress | undefined;
  const record = (p: TransferProgress) => (last = p);
  const emitter = transfer as unknown as EventEmitter;
  emitter.on('progress', record);
  return when(emitter, ['progress'], () => last !== undefined && last.bytes >= bytes && last, `progress of at least ${bytes} bytes`, 30_000).finally(() =>
    emitter.off('progress', record),
  );
}

describe('file transfers across relays (real nats-server)', function () {
  this.timeout(120_000);
  const fx = useTransferFixture();
  let nats: NatsCluster | undefined;
  let process: RelayProcess | undefined;

  afterEach(async () => {
    await process?.stop();
    process = undefined;
    await nats?.stop();
    nats = undefined;
  });

  it('sends files from a person on one relay to a person on another, SHA-256 verified, with frames larger than one engine message', async () => {
    nats = await startNats({ nodes: 1 });
    const cluster = { servers: nats.urls, replicas: 1 };
    const a = await fx.relay({ cluster });
    const b = await fx.relay({ cluster });
    const alice = await fx.connect(a.port, 'alice');
    const bob = await fx.connect(b.port, 'bob');
    await seesPeers(alice, [bob]);
    const root = fx.tempDir();
    // More than the relay's credit window (8 MiB), in 1 MiB frames: each crosses as four engine messages.
    const big = path.join(root, 'big.bin');
    const small = path.join(root, 'small.txt');
    const bigHash = writeSeededFile(big, 9 * MiB + 7, 5);
    const smallHash = writeSeededFile(small, 1000, 6);
    const dl = path.join(root, 'dl');

    const offered = nextOffer(bob);
    const sending = await alice.sendFiles(bob.clientId, [big, small], { chunkBytes: MiB });
    const incoming = await offered;
    assert.equal(incoming.from, alice.clientId);
    await incoming.accept({ dir: dl });
    const [received] = await within(Promise.all([incoming.done, sending.done]), 'both sides to finish', 60_000);
    assert.deepEqual(
      received.map((f) => [f.name, f.sha256]),
      [
        ['big.bin', bigHash],
        ['small.txt', smallHash],
      ],
    );
    assert.equal(await sha256File(path.join(dl, 'big.bin')), bigHash, 'the bytes on disk');
    assert.deepEqual(entriesOf(dl), ['big.bin', 'small.txt'], 'no temporary file left');

    // And the other way, with a decline: the answer crosses back.
    const declined = nextOffer(alice);
    const back = await bob.sendFiles(alice.clientId, [small]);
    (await declined).decline('not now');
    await assert.rejects(within(back.done, 'the declined transfer to end'), /not now/);
  });

  it('resumes a transfer cut by the SIGKILL of the receiver’s relay once the receiver is on another relay', async () => {
    nats = await startNats({ nodes: 1 });
    const cluster = { servers: nats.urls, replicas: 1 };
    // The sender's relay reads slowly enough to kill the other one mid-transfer.
    const a = await fx.relay({ cluster, throttleBytesPerSecond: 8_000_000, auth: { secret: RELAY_SECRET } });
    const c = await fx.relay({ cluster, auth: { secret: RELAY_SECRET } });
    process = await RelayProcess.start({ natsUrls: nats.urls });
    const alice = await fx.connect(a.port, 'alice', { secret: RELAY_SECRET });
    const bob = await fx.connect(process.port, 'bob', {
      secret: RELAY_SECRET,
      alternates: [{ host: RELAY_HOST, port: c.port }],
    });
    await seesPeers(alice, [bob]);
    const root = fx.tempDir();
    const file = path.join(root, 'resume.bin');
    const size = 24 * MiB;
    const hash = writeSeededFile(file, size, 9);
    const dl = path.join(root, 'dl');

    const offered = nextOffer(bob);
    const sending = await alice.sendFiles(bob.clientId, [file]);
    const incoming = await offered;
    await incoming.accept({ dir: dl });
    const before = await progressAtLeast(incoming, 4 * MiB);
    const afterKill: number[] = [];
    incoming.on('progress', (p) => afterKill.push(p.bytes));
    await process.kill9();

    const [[got]] = await within(Promise.all([incoming.done, sending.done]), 'the resumed transfer on both sides', 60_000);
    assert.equal(got.sha256, hash);
    assert.equal(await sha256File(got.path), hash);
    assert.equal(bob.relayAddress.port, c.port, 'bob finished on the relay he moved to');
    assert.ok(before.bytes < size);
    assert.ok(
      afterKill.length > 0 && Math.min(...afterKill) >= before.bytes,
      `continued from where it was cut (${before.bytes}), not from 0: ${Math.min(...afterKill)}`,
    );
    assert.deepEqual(entriesOf(dl), ['resume.bin']);
    assert.ok(fs.statSync(got.path).size === size);
  });
});
