import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TeamClient } from '../../../../src/net/client/teamClient';
import { ErrorCode } from '../../../../src/net/protocol/errors';
import { FrameFlag, FrameKind } from '../../../../src/net/protocol/frame';
import { Answered, RelayMessage } from '../../../../src/net/protocol/messages';
import { AcceptOptions, IncomingTransfer, ReceivedFile } from '../../../../src/net/transfer/incomingTransfer';
import { LocalFile } from '../../../../src/net/transfer/localFiles';
import { OutgoingTransfer } from '../../../../src/net/transfer/outgoingTransfer';
import { TransferProgress } from '../../../../src/net/transfer/progress';
import { PauseReason, Session } from '../../../../src/server/session';
import {
  entriesOf,
  eventually,
  isInside,
  MiB,
  partFiles,
  rejectsWith,
  seesPeers,
  sha256,
  sha256File,
  treeOf,
  useTransferFixture,
  when,
  within,
  writeBigFile,
  writeSeededFile,
} from '../../helpers/transferFixture';

const ee = (x: unknown) => x as EventEmitter;

/** The next offer `client` is shown (registers the listener now, so nothing is auto-declined). */
function nextOffer(client: TeamClient, label = `${client.name} to be offered files`): Promise<IncomingTransfer> {
  return within(new Promise<IncomingTransfer>((resolve) => client.once('file-offer', resolve)), label);
}

/** Accepts the next offer into `options.dir`; resolves with the transfer once accept() returned. */
async function acceptNext(client: TeamClient, options: AcceptOptions): Promise<IncomingTransfer> {
  const incoming = await nextOffer(client);
  await incoming.accept(options);
  return incoming;
}

function stateReached<S extends string>(transfer: { state: S }, state: S, ms = 10_000): Promise<true> {
  return when(ee(transfer), ['state'], () => transfer.state === state || undefined, `transfer state "${state}" (now "${transfer.state}")`, ms);
}

function progressAtLeast(transfer: IncomingTransfer | OutgoingTransfer, bytes: number, ms = 10_000): Promise<TransferProgress> {
  let last: TransferProgress | undefined;
  const record = (p: TransferProgress) => {
    last = p;
  };
  ee(transfer).on('progress', record);
  return when(ee(transfer), ['progress'], () => last !== undefined && last.bytes >= bytes && last, `progress of at least ${bytes} bytes`, ms).finally(() =>
    ee(transfer).off('progress', record),
  );
}

describe('file transfer over real sockets', function () {
  this.timeout(30_000);
  const fx = useTransferFixture();

  /** A relay with bob (receiver) and alice (sender), alice seeing bob. */
  async function team(relayOptions: Parameters<typeof fx.relay>[0] = {}) {
    const { relay, port } = await fx.relay(relayOptions);
    const bob = await fx.connect(port, 'bob');
    const alice = await fx.connect(port, 'alice');
    await seesPeers(alice, [bob]);
    const root = fx.tempDir();
    const src = path.join(root, 'src');
    const dl = path.join(root, 'downloads');
    fs.mkdirSync(src);
    return { relay, port, alice, bob, root, src, dl };
  }

  // ------------------------------------------------------------------------ sizes

  describe('sizes', () => {
    const CHUNK = 64 * 1024;
    const sizes: [string, number][] = [
      ['an empty file', 0],
      ['1 byte', 1],
      ['one chunk minus one byte', CHUNK - 1],
      ['exactly one chunk', CHUNK],
      ['one chunk plus one byte', CHUNK + 1],
      ['several chunks and a tail', 5 * CHUNK + 123],
      ['more than the receive window (4 MiB)', 4 * MiB + 7],
    ];
    // The relay reads plain TCP into one reused buffer; the way Node reads by default is kept as
    // an option, and both must move every byte.
    for (const [[label, size], reuse] of sizes.flatMap(
      (s) =>
        [
          [s, true],
          [s, false],
        ] as const,
    )) {
      it(`${label} (${size} bytes) arrives intact with a verified SHA-256 (${reuse ? 'relay reads into a reused buffer' : 'a new buffer per read'})`, async () => {
        const { alice, bob, src, dl } = await team({ reuseReadBuffer: reuse });
        const file = path.join(src, `f-${size}.bin`);
        const hash = writeSeededFile(file, size, size + 1);
        const accepted = acceptNext(bob, { dir: dl });
        const sent: { name: string; size: number; sha256: string }[] = [];
        const t = await alice.sendFiles(bob.clientId, [file], { chunkBytes: CHUNK });
        t.on('file-done', (f) => sent.push(f));
        const incoming = await accepted;
        const [received] = await within(incoming.done, 'bob to receive');
        await within(t.done, 'alice to be told it was verified');
        assert.deepEqual({ ...received }, { name: `f-${size}.bin`, path: path.join(dl, `f-${size}.bin`), size, sha256: hash });
        assert.equal(await sha256File(received.path), hash, 'the bytes on disk');
        assert.deepEqual(sent, [{ index: 0, name: `f-${size}.bin`, size, sha256: hash }]);
        assert.equal(t.state, 'done');
        assert.equal(incoming.state, 'done');
        assert.deepEqual(entriesOf(dl), [`f-${size}.bin`], 'no temporary file left');
      });
    }

    it('a 300 MiB file (1 MiB chunks) arrives with the SHA-256 of the source', async function () {
      this.timeout(120_000);
      const { alice, bob, src, dl } = await team();
      const size = 300 * MiB;
      const file = path.join(src, 'big.bin');
      const hash = writeBigFile(file, size, 0x5eed);
      const accepted = acceptNext(bob, { dir: dl });
      const started = Date.now();
      const t = await alice.sendFiles(bob.clientId, [file], { chunkBytes: MiB });
      const incoming = await accepted;
      const [received] = await within(incoming.done, 'the big file', 60_000);
      await within(t.done, 'alice: big file confirmed', 10_000);
      const elapsed = Date.now() - started;
      assert.equal(received.size, size);
      assert.equal(received.sha256, hash);
      assert.equal(fs.statSync(received.path).size, size);
      assert.equal(await sha256File(received.path), hash, 'the bytes on disk hash like the source');
      if (process.env.TM_VERBOSE) process.stderr.write(`      300 MiB in ${elapsed} ms\n`);
    });
  });

  // ------------------------------------------------------------------------ folders and names

  describe('folders', () => {
    function makeTree(src: string): void {
      writeSeededFile(path.join(src, 'a.txt'), 100, 1);
      writeSeededFile(path.join(src, 'empty.txt'), 0, 2);
      writeSeededFile(path.join(src, 'folder', 'x.bin'), 200_000, 3);
      writeSeededFile(path.join(src, 'folder', 'sub', 'deeper', 'y.txt'), 5000, 4);
      writeSeededFile(path.join(src, 'folder', 'sub', 'empty2.txt'), 0, 5);
      writeSeededFile(path.join(src, 'folder2', 'z.dat'), 70_000, 6);
    }

    it('sends files and folders recursively in one offer; the received tree equals the sent tree', async () => {
      const { alice, bob, src, dl } = await team();
      makeTree(src);
      const accepted = acceptNext(bob, { dir: dl });
      const t = await alice.sendFiles(
        bob.clientId,
        ['a.txt', 'empty.txt', 'folder', 'folder2'].map((n) => path.join(src, n)),
      );
      assert.deepEqual(
        t.files.map((f) => f.name),
        ['a.txt', 'empty.txt', 'folder/sub/deeper/y.txt', 'folder/sub/empty2.txt', 'folder/x.bin', 'folder2/z.dat'],
      );
      const incoming = await accepted;
      const received = await within(incoming.done, 'the tree');
      await within(t.done, 'alice: tree confirmed');
      assert.equal(received.length, 6);
      assert.deepEqual(treeOf(dl), treeOf(src));
      for (const f of received) assert.ok(isInside(dl, f.path), f.path);
    });

    it('a second identical transfer lands under unique names; nothing is overwritten', async () => {
      const { alice, bob, src, dl } = await team();
      makeTree(src);
      fs.mkdirSync(dl);
      fs.writeFileSync(path.join(dl, 'a.txt'), 'already here, keep me');
      const paths = [path.join(src, 'a.txt'), path.join(src, 'folder')];
      const runOnce = async () => {
        const accepted = acceptNext(bob, { dir: dl });
        const t = await alice.sendFiles(bob.clientId, paths);
        const received = await within((await accepted).done, 'bob to receive');
        await within(t.done, 'alice: confirmed');
        return received;
      };
      const first = await runOnce();
      const second = await runOnce();
      const where = (files: ReceivedFile[]) => Object.fromEntries(files.map((f) => [f.name, path.relative(dl, f.path)]));
      assert.deepEqual(where(first), {
        'a.txt': 'a (1).txt',
        'folder/sub/deeper/y.txt': path.join('folder', 'sub', 'deeper', 'y.txt'),
        'folder/sub/empty2.txt': path.join('folder', 'sub', 'empty2.txt'),
        'folder/x.bin': path.join('folder', 'x.bin'),
      });
      assert.deepEqual(where(second), {
        'a.txt': 'a (2).txt',
        'folder/sub/deeper/y.txt': path.join('folder (1)', 'sub', 'deeper', 'y.txt'),
        'folder/sub/empty2.txt': path.join('folder (1)', 'sub', 'empty2.txt'),
        'folder/x.bin': path.join('folder (1)', 'x.bin'),
      });
      assert.equal(fs.readFileSync(path.join(dl, 'a.txt'), 'utf8'), 'already here, keep me');
      const srcTree = treeOf(src);
      const got = treeOf(dl);
      assert.equal(got.get('a (1).txt'), srcTree.get('a.txt'));
      assert.equal(got.get('a (2).txt'), srcTree.get('a.txt'));
      for (const name of ['folder/x.bin', 'folder/sub/deeper/y.txt', 'folder/sub/empty2.txt']) {
        assert.equal(got.get(name), srcTree.get(name), name);
        assert.equal(got.get(name.replace('folder/', 'folder (1)/')), srcTree.get(name), name);
      }
      assert.equal(got.size, 1 + 2 + 3 + 3);
    });

    it('hostile names offered through the protocol all land inside the download folder, content intact', async () => {
      const { alice, bob, root, src, dl } = await team();
      const hostile: [string, string][] = [
        ['../../etc/passwd', path.join('etc', 'passwd')],
        ['/etc/shadow', path.join('etc', 'shadow')],
        ['C:\\x', 'x'],
        ['..\\..\\windows\\win.ini', path.join('windows', 'win.ini')],
        ['con', '_con'],
        ['nul\u0000.txt', 'nul_.txt'],
        ['a\u0000b', 'a_b'],
        ['line\nbreak.txt', 'line_break.txt'],
        ['evil\u202Etxt.exe', 'evil_txt.exe'],
      ];
      const files: LocalFile[] = hostile.map(([name], i) => {
        const p = path.join(src, `real-${i}.bin`);
        const size = 1000 + i * 777;
        writeSeededFile(p, size, 100 + i);
        return { path: p, name, size };
      });
      const accepted = acceptNext(bob, { dir: dl });
      const t = alice.transfers.send(bob.clientId, files);
      const incoming = await accepted;
      assert.deepEqual(
        incoming.files.map((f) => f.name),
        hostile.map(([name]) => name),
        'the receiver sees the names as offered',
      );
      const received = await within(incoming.done, 'bob to receive the hostile names');
      await within(t.done, 'alice: confirmed');
      assert.equal(received.length, hostile.length);
      for (const [i, [name, expected]] of hostile.entries()) {
        const got = received.find((r) => r.name === name);
        assert.ok(got, `${JSON.stringify(name)} was received`);
        assert.ok(isInside(dl, got.path), `${got.path} is inside ${dl}`);
        assert.equal(got.path, path.join(dl, expected), JSON.stringify(name));
        assert.equal(sha256(fs.readFileSync(got.path)), sha256(fs.readFileSync(files[i].path)), `content of ${JSON.stringify(name)}`);
      }
      // Nothing was created next to the download folder.
      assert.deepEqual(fs.readdirSync(root).sort(), ['downloads', 'src']);
    });

    it('a file whose name starts with two dots ("..notes") is received (it is not a parent reference)', async () => {
      const { alice, bob, src, dl } = await team();
      const p = path.join(src, 'notes');
      const hash = writeSeededFile(p, 500, 9);
      const accepted = acceptNext(bob, { dir: dl });
      const t = alice.transfers.send(bob.clientId, [{ path: p, name: '..notes', size: 500 }]);
      const incoming = await accepted;
      const [got] = await within(incoming.done, 'bob to receive ..notes');
      await within(t.done, 'alice: confirmed');
      assert.equal(got.path, path.join(dl, '..notes'));
      assert.equal(await sha256File(got.path), hash);
    });

    it('two files with the same name in one offer both arrive ("a.txt" and "a (1).txt")', async () => {
      const { alice, bob, src, dl } = await team();
      const one = path.join(src, 'one', 'a.txt');
      const two = path.join(src, 'two', 'a.txt');
      const h1 = writeSeededFile(one, 1111, 1);
      const h2 = writeSeededFile(two, 2222, 2);
      const accepted = acceptNext(bob, { dir: dl });
      const t = await alice.sendFiles(bob.clientId, [one, two]);
      assert.deepEqual(
        t.files.map((f) => f.name),
        ['a.txt', 'a.txt'],
      );
      const received = await within((await accepted).done, 'both a.txt');
      await within(t.done, 'alice: confirmed');
      assert.deepEqual(received.map((r) => path.relative(dl, r.path)).sort(), ['a (1).txt', 'a.txt']);
      assert.deepEqual(received.map((r) => r.sha256).sort(), [h1, h2].sort());
      for (const r of received) assert.equal(await sha256File(r.path), r.sha256);
    });

    it('a dotfile sent on its own (".gitignore") is received', async () => {
      const { alice, bob, src, dl } = await team();
      const p = path.join(src, '.gitignore');
      fs.writeFileSync(p, 'node_modules/\nout/\n');
      const accepted = acceptNext(bob, { dir: dl });
      const t = await alice.sendFiles(bob.clientId, [p]);
      const incoming = await accepted;
      const [got] = await within(incoming.done, 'bob to receive .gitignore');
      await within(t.done, 'alice: confirmed');
      assert.equal(got.path, path.join(dl, '.gitignore'));
      assert.equal(fs.readFileSync(got.path, 'utf8'), 'node_modules/\nout/\n');
    });

    it('two long names that differ only after the first 200 bytes both arrive in one offer', async () => {
      const { alice, bob, src, dl } = await team();
      const files: LocalFile[] = [1, 2].map((i) => {
        const p = path.join(src, `long-${i}`);
        writeSeededFile(p, 1000 * i, 40 + i);
        return { path: p, name: `${'L'.repeat(250)}-${i}.txt`, size: 1000 * i };
      });
      const accepted = nextOffer(bob);
      const t = alice.transfers.send(bob.clientId, files);
      const incoming = await accepted;
      await within(incoming.accept({ dir: dl }), 'accept');
      const received = await within(incoming.done, 'both long names');
      await within(t.done, 'alice: confirmed');
      assert.equal(received.length, 2);
      assert.notEqual(received[0].path, received[1].path);
      for (const [i, r] of received.entries()) {
        assert.ok(isInside(dl, r.path));
        assert.ok(Buffer.byteLength(path.basename(r.path)) <= 255);
        assert.equal(await sha256File(r.path), await sha256File(files[i].path));
      }
    });
  });

  // ------------------------------------------------------------------------ answers

  describe('answers', () => {
    it('decline: the sender is told DECLINED with the reason; nothing is written', async () => {
      const { alice, bob, src, dl } = await team();
      fs.mkdirSync(dl);
      const file = path.join(src, 'f.txt');
      writeSeededFile(file, 1000, 1);
      const offered = nextOffer(bob);
      const t = await alice.sendFiles(bob.clientId, [file]);
      const incoming = await offered;
      incoming.decline('no thanks');
      const err = await rejectsWith(t.done, ErrorCode.Declined, 'alice: declined');
      assert.match(err.message, /no thanks/);
      await rejectsWith(incoming.done, ErrorCode.Declined, 'bob: declined');
      assert.equal(t.state, 'declined');
      assert.equal(incoming.state, 'declined');
      assert.deepEqual(entriesOf(dl), []);
    });

    it('a client without a file-offer listener declines by itself', async () => {
      const { alice, bob, src } = await team();
      assert.equal(bob.listenerCount('file-offer'), 0);
      const file = path.join(src, 'f.txt');
      writeSeededFile(file, 10, 1);
      const t = await alice.sendFiles(bob.clientId, [file]);
      const err = await rejectsWith(t.done, ErrorCode.Declined, 'alice: declined');
      assert.match(err.message, /does not accept files/);
    });

    it('nothing is written before accept: the download folder does not exist while the offer waits', async () => {
      const { alice, bob, src, dl } = await team();
      const file = path.join(src, 'f.bin');
      const hash = writeSeededFile(file, 300_000, 3);
      const offered = nextOffer(bob);
      const t = await alice.sendFiles(bob.clientId, [file]);
      const incoming = await offered;
      assert.equal(fs.existsSync(dl), false, 'not created when the offer arrives');
      // A full round trip through the relay while the offer waits.
      const chat = when(ee(bob), ['message'], () => true, 'bob to get the chat message');
      await alice.send([bob.clientId], 'did you get my files?');
      await chat;
      assert.equal(incoming.state, 'offered');
      assert.equal(t.state, 'waiting');
      assert.equal(fs.existsSync(dl), false, 'still not created while the offer waits');
      await incoming.accept({ dir: dl });
      const [got] = await within(incoming.done, 'bob to receive');
      await within(t.done, 'alice: confirmed');
      assert.equal(got.sha256, hash);
    });

    it('an unanswered offer expires on both sides (OFFER_EXPIRED) and nothing is written', async () => {
      const { alice, bob, src, dl } = await team({ offerTimeoutMs: 300 });
      const file = path.join(src, 'f.txt');
      writeSeededFile(file, 1000, 1);
      const offered = nextOffer(bob);
      const t = await alice.sendFiles(bob.clientId, [file]);
      const incoming = await offered;
      assert.ok(incoming.expiresAt > Date.now() - 1000 && incoming.expiresAt <= Date.now() + 300 + 100, 'expiresAt reflects the relay timeout');
      await rejectsWith(t.done, ErrorCode.OfferExpired, 'alice: expired');
      await rejectsWith(incoming.done, ErrorCode.OfferExpired, 'bob: expired');
      assert.equal(t.state, 'failed');
      assert.equal(incoming.state, 'expired');
      await rejectsWith(incoming.accept({ dir: dl }), ErrorCode.UnexpectedMessage, 'a late accept');
      assert.equal(fs.existsSync(dl), false);
    });

    it('maxFileBytes exceeded: accept rejects TOO_LARGE, the sender sees a decline, nothing on disk', async () => {
      const { alice, bob, src, dl } = await team();
      const small = path.join(src, 'small.txt');
      const big = path.join(src, 'big.bin');
      writeSeededFile(small, 100, 1);
      writeSeededFile(big, 10_000, 2);
      const offered = nextOffer(bob);
      const t = await alice.sendFiles(bob.clientId, [small, big]);
      const incoming = await offered;
      const err = await rejectsWith(incoming.accept({ dir: dl, maxFileBytes: 5000 }), ErrorCode.TooLarge, 'accept over maxFileBytes');
      assert.match(err.message, /big\.bin/);
      const told = await rejectsWith(t.done, ErrorCode.Declined, 'alice: declined');
      assert.match(told.message, /limit/);
      assert.equal(fs.existsSync(dl), false);
    });

    it('maxTotalBytes exceeded: accept rejects TOO_LARGE, the sender sees a decline, nothing on disk', async () => {
      const { alice, bob, src, dl } = await team();
      const files = [1, 2, 3].map((i) => {
        const p = path.join(src, `part${i}.bin`);
        writeSeededFile(p, 3000, i);
        return p;
      });
      const offered = nextOffer(bob);
      const t = await alice.sendFiles(bob.clientId, files);
      const incoming = await offered;
      await rejectsWith(incoming.accept({ dir: dl, maxFileBytes: 5000, maxTotalBytes: 8000 }), ErrorCode.TooLarge, 'accept over maxTotalBytes');
      await rejectsWith(t.done, ErrorCode.Declined, 'alice: declined');
      assert.equal(fs.existsSync(dl), false);
    });

    it('a download folder that cannot be created (its parent is a file): accept rejects clearly, the sender is told', async () => {
      const { alice, bob, root, src } = await team();
      const blocker = path.join(root, 'not-a-folder');
      fs.writeFileSync(blocker, 'I am a file');
      const dir = path.join(blocker, 'downloads');
      const file = path.join(src, 'f.txt');
      writeSeededFile(file, 1000, 1);
      const offered = nextOffer(bob);
      const t = await alice.sendFiles(bob.clientId, [file]);
      const incoming = await offered;
      const err = await rejectsWith(incoming.accept({ dir }), ErrorCode.WriteFailed, 'accept into an impossible folder');
      assert.match(err.message, /ENOTDIR|EEXIST/);
      const told = await rejectsWith(t.done, ErrorCode.Declined, 'alice: told');
      assert.match(told.message, /ENOTDIR|EEXIST/);
      await rejectsWith(incoming.done, ErrorCode.WriteFailed, 'bob: done');
      assert.equal(fs.readFileSync(blocker, 'utf8'), 'I am a file');
    });

    it('the sender withdraws a waiting offer: the receiver sees it cancelled, a late accept writes nothing', async () => {
      const { alice, bob, src, dl } = await team();
      const file = path.join(src, 'f.txt');
      writeSeededFile(file, 1000, 1);
      const offered = nextOffer(bob);
      const t = await alice.sendFiles(bob.clientId, [file]);
      const incoming = await offered;
      await stateReached(t, 'waiting');
      t.cancel('sent the wrong file');
      await rejectsWith(t.done, ErrorCode.Cancelled, 'alice: cancelled');
      const err = await rejectsWith(incoming.done, ErrorCode.Cancelled, 'bob: the offer was withdrawn');
      assert.match(err.message, /wrong file/);
      await rejectsWith(incoming.accept({ dir: dl }), ErrorCode.UnexpectedMessage, 'a late accept');
      assert.equal(fs.existsSync(dl), false);
    });

    it('cancelling right after sendFiles (before the relay confirmed the offer) still tells the receiver', async () => {
      const { alice, bob, src, dl } = await team();
      const file = path.join(src, 'f.bin');
      writeSeededFile(file, 100_000, 1);
      const offered = nextOffer(bob);
      const t = await alice.sendFiles(bob.clientId, [file]);
      t.cancel('never mind');
      await rejectsWith(t.done, ErrorCode.Cancelled, 'alice: cancelled');
      // The offer frame was already on its way; the receiver must learn it is void.
      const incoming = await offered;
      await incoming.accept({ dir: dl }).catch(() => undefined);
      await rejectsWith(incoming.done, ErrorCode.Cancelled, 'bob: told the offer was cancelled (instead of waiting for data forever)', 5000);
      await eventually(() => entriesOf(dl).length === 0, `no reserved .part file (has ${JSON.stringify(entriesOf(dl))})`);
    });

    it('a source file that shrinks after the offer fails READ_FAILED on both sides; nothing is left', async () => {
      const { alice, bob, src, dl } = await team();
      const file = path.join(src, 'f.bin');
      writeSeededFile(file, 2 * MiB, 1);
      const offered = nextOffer(bob);
      const t = await alice.sendFiles(bob.clientId, [file]);
      const incoming = await offered;
      await incoming.accept({ dir: dl });
      fs.truncateSync(file, 1000); // before alice has read anything: she reads only on credit
      const err = await rejectsWith(t.done, ErrorCode.ReadFailed, 'alice: read failed');
      assert.match(err.message, /changed while it was being sent/);
      await rejectsWith(incoming.done, ErrorCode.ReadFailed, 'bob: told why');
      await eventually(() => entriesOf(dl).length === 0, `the download folder to be empty (has ${JSON.stringify(entriesOf(dl))})`);
    });

    it('a write error mid-transfer is reported to both sides (WRITE_FAILED), not swallowed', async () => {
      const { alice, bob, src, dl } = await team();
      const file = path.join(src, 'f.bin');
      writeSeededFile(file, 2 * MiB, 1);
      const offered = nextOffer(bob);
      const t = await alice.sendFiles(bob.clientId, [file]);
      const incoming = await offered;
      await incoming.accept({ dir: dl });
      // The reserved temporary file vanishes before the first byte is written.
      const parts = partFiles(dl);
      assert.equal(parts.length, 1, 'accept reserved one temporary file');
      fs.rmSync(path.join(dl, parts[0]));
      const err = await rejectsWith(incoming.done, ErrorCode.WriteFailed, 'bob: write failed');
      assert.match(err.message, /ENOENT/);
      await rejectsWith(t.done, ErrorCode.WriteFailed, 'alice: told about the write failure');
      assert.deepEqual(entriesOf(dl), []);
    });
  });

  // ------------------------------------------------------------------------ concurrency

  describe('concurrent transfers', () => {
    it('two senders to one receiver at the same time, same file name, same folder: both intact, nothing overwritten', async () => {
      const { port } = await fx.relay();
      const bob = await fx.connect(port, 'bob');
      const alice = await fx.connect(port, 'alice');
      const dave = await fx.connect(port, 'dave');
      await Promise.all([seesPeers(alice, [bob]), seesPeers(dave, [bob])]);
      const root = fx.tempDir();
      const dl = path.join(root, 'dl');
      const hashes = new Map<string, string>();
      const offers: IncomingTransfer[] = [];
      const bothOffered = new Promise<void>((resolve) =>
        bob.on('file-offer', (incoming) => {
          offers.push(incoming);
          incoming.accept({ dir: dl }).catch(() => undefined); // failures show in done
          if (offers.length === 2) resolve();
        }),
      );
      const sends = await Promise.all(
        [alice, dave].map(async (sender, i) => {
          const p = path.join(root, sender.name, 'data.bin');
          hashes.set(sender.clientId, writeSeededFile(p, 3 * MiB + i * 1000, 70 + i));
          return sender.sendFiles(bob.clientId, [p]);
        }),
      );
      await within(bothOffered, 'two offers');
      const results = await within(Promise.all(offers.map((o) => o.done)), 'both incoming transfers');
      await within(Promise.all(sends.map((t) => t.done)), 'both senders confirmed');
      const paths = results.map(([r]) => path.basename(r.path)).sort();
      assert.deepEqual(paths, ['data (1).bin', 'data.bin']);
      for (const [i, incoming] of offers.entries()) {
        const [r] = results[i];
        assert.equal(r.sha256, hashes.get(incoming.from));
        assert.equal(await sha256File(r.path), hashes.get(incoming.from));
      }
      assert.deepEqual(entriesOf(dl), ['data (1).bin', 'data.bin']);
    });

    it('one sender to two receivers at the same time: both verified', async () => {
      const { port } = await fx.relay();
      const bob = await fx.connect(port, 'bob');
      const carol = await fx.connect(port, 'carol');
      const alice = await fx.connect(port, 'alice');
      await seesPeers(alice, [bob, carol]);
      const root = fx.tempDir();
      const file = path.join(root, 'shared.bin');
      const hash = writeSeededFile(file, 5 * MiB + 3, 5);
      const accepted = [acceptNext(bob, { dir: path.join(root, 'bob') }), acceptNext(carol, { dir: path.join(root, 'carol') })];
      const sends = await Promise.all([alice.sendFiles(bob.clientId, [file]), alice.sendFiles(carol.clientId, [file])]);
      const incoming = await Promise.all(accepted);
      const results = await within(Promise.all(incoming.map((t) => t.done)), 'both receivers');
      await within(Promise.all(sends.map((t) => t.done)), 'both confirmations');
      for (const [r] of results) {
        assert.equal(r.sha256, hash);
        assert.equal(await sha256File(r.path), hash);
      }
      assert.equal(results[0][0].path, path.join(root, 'bob', 'shared.bin'));
      assert.equal(results[1][0].path, path.join(root, 'carol', 'shared.bin'));
    });
  });

  // ------------------------------------------------------------------------ cancel

  describe('cancel mid-transfer (throttled relay)', () => {
    it('the sender cancels: the receiver is told CANCELLED and no partial file remains', async () => {
      const { alice, bob, src, dl } = await team({ throttleBytesPerSecond: 2_000_000 });
      const file = path.join(src, 'f.bin');
      writeSeededFile(file, 8 * MiB, 1);
      const accepted = acceptNext(bob, { dir: dl });
      const t = await alice.sendFiles(bob.clientId, [file]);
      const incoming = await accepted;
      const p = await progressAtLeast(incoming, 1);
      assert.ok(p.bytes < p.total, 'cancelled mid-way');
      assert.equal(partFiles(dl).length, 1, 'a partial file exists while receiving');
      t.cancel('changed my mind');
      await rejectsWith(t.done, ErrorCode.Cancelled, 'alice: cancelled');
      const err = await rejectsWith(incoming.done, ErrorCode.Cancelled, 'bob: told about the cancel');
      assert.match(err.message, /changed my mind/);
      assert.equal(incoming.state, 'cancelled');
      await eventually(() => entriesOf(dl).length === 0, `the download folder to be empty (has ${JSON.stringify(entriesOf(dl))})`);
    });

    it('the sender closes its messenger mid-transfer: the receiver is told CANCELLED, no partial file remains', async () => {
      const { alice, bob, src, dl } = await team({ throttleBytesPerSecond: 2_000_000 });
      const file = path.join(src, 'f.bin');
      writeSeededFile(file, 8 * MiB, 3);
      const accepted = acceptNext(bob, { dir: dl });
      const t = await alice.sendFiles(bob.clientId, [file]);
      const incoming = await accepted;
      await progressAtLeast(incoming, 1);
      await alice.close();
      await rejectsWith(t.done, ErrorCode.Cancelled, 'alice: cancelled by close()');
      await rejectsWith(incoming.done, ErrorCode.Cancelled, 'bob: told the sender went away');
      await eventually(() => entriesOf(dl).length === 0, `the download folder to be empty (has ${JSON.stringify(entriesOf(dl))})`);
    });

    it('the receiver cancels: the sender is told CANCELLED and no partial file remains', async () => {
      const { alice, bob, src, dl } = await team({ throttleBytesPerSecond: 2_000_000 });
      const file = path.join(src, 'f.bin');
      writeSeededFile(file, 8 * MiB, 2);
      const accepted = acceptNext(bob, { dir: dl });
      const t = await alice.sendFiles(bob.clientId, [file]);
      const incoming = await accepted;
      await progressAtLeast(incoming, 1);
      incoming.cancel('no room after all');
      await rejectsWith(incoming.done, ErrorCode.Cancelled, 'bob: cancelled');
      const err = await rejectsWith(t.done, ErrorCode.Cancelled, 'alice: told about the cancel');
      assert.match(err.message, /no room after all/);
      assert.equal(t.state, 'cancelled');
      await eventually(() => entriesOf(dl).length === 0, `the download folder to be empty (has ${JSON.stringify(entriesOf(dl))})`);
      // The connection is still fine for chat.
      const chat = when(ee(bob), ['message'], () => true, 'chat after the cancel');
      await alice.send([bob.clientId], 'still friends?');
      await chat;
    });
  });

  // ------------------------------------------------------------------------ resume

  describe('resume after a lost connection (TCP proxy cut mid-transfer)', () => {
    const SIZE = 16 * MiB;
    const CUT_AT = 4 * MiB;

    it("the sender's connection is cut: it reconnects and continues from the receiver's offset, not from 0", async function () {
      this.timeout(60_000);
      const { port } = await fx.relay({ throttleBytesPerSecond: 8_000_000 });
      const bob = await fx.connect(port, 'bob');
      const proxy = await fx.proxy(port);
      const alice = await fx.connect(proxy.port, 'alice', { backoff: { initialMs: 20, maxMs: 200 } });
      await seesPeers(alice, [bob]);
      const root = fx.tempDir();
      const file = path.join(root, 'resume.bin');
      const hash = writeSeededFile(file, SIZE, 77);
      const dl = path.join(root, 'dl');
      const accepted = acceptNext(bob, { dir: dl });
      const t = await alice.sendFiles(bob.clientId, [file]);
      const incoming = await accepted;
      const before = await progressAtLeast(incoming, CUT_AT, 20_000);
      await proxy.stopListening();
      await Promise.all([stateReached(t, 'interrupted'), stateReached(incoming, 'interrupted')]);
      const upAtReconnect = proxy.upBytes;
      const oldPort = proxy.port;
      await proxy.listen();
      assert.equal(proxy.port, oldPort, 'the proxy is back on the same port');
      const [[got]] = await within(Promise.all([incoming.done, t.done]), 'the resumed transfer on both sides', 40_000);
      const afterResume = proxy.upBytes - upAtReconnect;
      assert.equal(got.sha256, hash);
      assert.equal(await sha256File(got.path), hash);
      assert.ok(proxy.connections >= 2, 'alice reconnected through the proxy');
      assert.ok(afterResume > 0);
      assert.ok(afterResume < SIZE, `sent ${afterResume} bytes after resuming, less than the file (${SIZE})`);
      assert.ok(
        afterResume < SIZE - before.bytes + 512 * 1024,
        `resumed from the receiver's offset: ${afterResume} bytes after resuming, ${before.bytes} were on disk before the cut`,
      );
      assert.deepEqual(entriesOf(dl), ['resume.bin']);
    });

    it('a multi-file transfer cut after the first file: resumes the second, reports each file exactly once', async function () {
      this.timeout(60_000);
      const { port } = await fx.relay({ throttleBytesPerSecond: 8_000_000 });
      const bob = await fx.connect(port, 'bob');
      const proxy = await fx.proxy(port);
      const alice = await fx.connect(proxy.port, 'alice');
      await seesPeers(alice, [bob]);
      const root = fx.tempDir();
      const a = path.join(root, 'a.bin');
      const b = path.join(root, 'b.bin');
      const ha = writeSeededFile(a, 2 * MiB, 31);
      const hb = writeSeededFile(b, 12 * MiB, 32);
      const dl = path.join(root, 'dl');
      const offered = nextOffer(bob);
      const t = await alice.sendFiles(bob.clientId, [a, b]);
      const confirmed: string[] = [];
      t.on('file-done', (f) => confirmed.push(f.name));
      const incoming = await offered;
      const arrived: string[] = [];
      incoming.on('file', (f) => arrived.push(f.name));
      await incoming.accept({ dir: dl });
      await when(ee(t), ['file-done'], () => confirmed.includes('a.bin') || undefined, 'a.bin confirmed');
      await progressAtLeast(incoming, 2 * MiB + 2 * MiB, 20_000);
      await proxy.stopListening();
      await Promise.all([stateReached(t, 'interrupted'), stateReached(incoming, 'interrupted')]);
      await proxy.listen();
      const [received] = await within(Promise.all([incoming.done, t.done]), 'the resumed transfer on both sides', 40_000);
      assert.deepEqual(
        received.map((r) => [r.name, r.sha256]),
        [
          ['a.bin', ha],
          ['b.bin', hb],
        ],
      );
      assert.equal(await sha256File(path.join(dl, 'b.bin')), hb);
      assert.deepEqual(entriesOf(dl), ['a.bin', 'b.bin']);
      assert.deepEqual(arrived, ['a.bin', 'b.bin'], "bob's 'file' events");
      assert.deepEqual(confirmed, ['a.bin', 'b.bin'], "alice's 'file-done' events: once per file, even across the resume");
    });

    it("the receiver's connection is cut: it reconnects and the transfer continues from its offset", async function () {
      this.timeout(60_000);
      const { port } = await fx.relay({ throttleBytesPerSecond: 8_000_000 });
      const proxy = await fx.proxy(port);
      const bob = await fx.connect(proxy.port, 'bob', { backoff: { initialMs: 20, maxMs: 200 } });
      const alice = await fx.connect(port, 'alice');
      await seesPeers(alice, [bob]);
      const root = fx.tempDir();
      const file = path.join(root, 'resume.bin');
      const hash = writeSeededFile(file, SIZE, 78);
      const dl = path.join(root, 'dl');
      const accepted = acceptNext(bob, { dir: dl });
      const t = await alice.sendFiles(bob.clientId, [file]);
      const incoming = await accepted;
      const before = await progressAtLeast(incoming, CUT_AT, 20_000);
      const states: string[] = [];
      t.on('state', (s) => states.push(s));
      let aliceError = '';
      t.done.catch((err: Error & { code?: string }) => (aliceError = `${err.code}: ${err.message}`));
      const bobLeft = when(
        ee(alice),
        ['peer-left'],
        () => ![...alice.peers.values()].some((p) => p.clientId === bob.clientId) || undefined,
        'alice to see bob leave',
      );
      await proxy.stopListening();
      await Promise.all([stateReached(incoming, 'interrupted'), bobLeft]);
      // bob stays away a little: the acknowledged chat message proves the relay has handled
      // everything alice sent meanwhile (including any re-offer) while bob was gone.
      await within(alice.send('all', 'bob dropped out'), 'ack while bob is away');
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(t.finished, false, `alice's transfer waits for bob instead of giving up (state ${t.state}, ${aliceError}; ${states.join(' → ')})`);
      const downAtReconnect = proxy.downBytes;
      await proxy.listen();
      const [[got]] = await within(Promise.all([incoming.done, t.done]), 'the resumed transfer on both sides', 40_000);
      assert.ok(states.includes('interrupted'), `alice saw the interruption: ${states.join(' → ')}`);
      const afterResume = proxy.downBytes - downAtReconnect;
      assert.equal(got.sha256, hash);
      assert.equal(await sha256File(got.path), hash);
      assert.ok(afterResume < SIZE - before.bytes + 512 * 1024, `${afterResume} bytes reached bob after resuming; ${before.bytes} were on disk`);
    });
  });

  // ------------------------------------------------------------------------ corruption

  describe('integrity', () => {
    it('a byte flipped on the wire is caught: CHECKSUM_MISMATCH on both sides, no file and no .part left', async () => {
      const { port } = await fx.relay();
      const bob = await fx.connect(port, 'bob');
      let flipped = 0;
      const proxy = await fx.proxy(port, {
        rewriteUp: () => (frame) => {
          if (flipped === 0 && frame.kind === FrameKind.Data && (frame.flags & FrameFlag.End) === 0 && frame.payload.length > 100) {
            flipped++;
            const copy = Buffer.from(frame.payload);
            copy[Math.floor(copy.length / 2)] ^= 0x40;
            return copy;
          }
          return frame.payload;
        },
      });
      const alice = await fx.connect(proxy.port, 'alice');
      await seesPeers(alice, [bob]);
      const root = fx.tempDir();
      const file = path.join(root, 'f.bin');
      writeSeededFile(file, MiB + 5, 12);
      const dl = path.join(root, 'dl');
      const accepted = acceptNext(bob, { dir: dl });
      const t = await alice.sendFiles(bob.clientId, [file], { chunkBytes: 64 * 1024 });
      const incoming = await accepted;
      const err = await rejectsWith(incoming.done, ErrorCode.ChecksumMismatch, 'bob: checksum mismatch');
      assert.match(err.message, /checksum mismatch/);
      await rejectsWith(t.done, ErrorCode.ChecksumMismatch, 'alice: checksum mismatch');
      assert.equal(flipped, 1, 'the proxy flipped exactly one byte');
      await eventually(() => entriesOf(dl).length === 0, `no file and no .part in the download folder (has ${JSON.stringify(entriesOf(dl))})`, 3000);
    });
  });

  // ------------------------------------------------------------------------ chat and progress

  describe('chat and progress', () => {
    it('chat messages sent during a 200 MiB transfer arrive before the transfer ends', async function () {
      this.timeout(90_000);
      const { alice, bob, src, dl } = await team();
      const file = path.join(src, 'big.bin');
      const hash = writeBigFile(file, 200 * MiB, 0xc4a7);
      const log: string[] = [];
      // The offer's own record in the conversation (a message naming the file) is not chat.
      bob.on('message', (m) => m.files === undefined && log.push(`message:${m.text}`));
      const accepted = acceptNext(bob, { dir: dl });
      const t = await alice.sendFiles(bob.clientId, [file], { chunkBytes: MiB });
      const incoming = await accepted;
      incoming.done.then(
        () => log.push('bob:done'),
        () => log.push('bob:failed'),
      );
      t.done.then(
        () => log.push('alice:done'),
        () => log.push('alice:failed'),
      );
      const first = await progressAtLeast(incoming, 1, 20_000);
      assert.ok(first.bytes < first.total / 2, 'the transfer has barely started');
      const texts = ['one', 'two', 'three', 'four', 'five'];
      const acks = texts.map((text) => alice.send([bob.clientId], text));
      await within(Promise.all(acks), 'acks of the chat messages', 20_000);
      const [got] = await within(incoming.done, 'the big transfer', 60_000);
      await within(t.done, 'alice: confirmed', 10_000);
      assert.equal(got.sha256, hash);
      const bobDone = log.indexOf('bob:done');
      assert.ok(bobDone >= 0, log.join(', '));
      for (const text of texts) {
        const at = log.indexOf(`message:${text}`);
        assert.ok(at >= 0, `"${text}" arrived`);
        assert.ok(at < bobDone, `"${text}" arrived before the transfer ended: ${log.join(', ')}`);
      }
      assert.deepEqual(
        log.filter((e) => e.startsWith('message:')),
        texts.map((x) => `message:${x}`),
        'in order',
      );
    });

    it('progress: bytes rise monotonically to the total on both sides, rate ≥ 0', async () => {
      const { alice, bob, src, dl } = await team({ throttleBytesPerSecond: 4_000_000 });
      const size = 3 * MiB;
      const file = path.join(src, 'p.bin');
      writeSeededFile(file, size, 3);
      const sent: TransferProgress[] = [];
      const got: TransferProgress[] = [];
      const accepted = nextOffer(bob);
      const t = await alice.sendFiles(bob.clientId, [file]);
      t.on('progress', (p) => sent.push(p));
      const incoming = await accepted;
      incoming.on('progress', (p) => got.push(p));
      // A small receive window paces the sender too, so both sides report along the way.
      await incoming.accept({ dir: dl, windowBytes: 256 * 1024 });
      await within(incoming.done, 'bob to receive');
      await within(t.done, 'alice: confirmed');
      for (const [side, events, direction] of [
        ['sender', sent, 'send'],
        ['receiver', got, 'receive'],
      ] as const) {
        assert.ok(events.length >= 3, `${side}: ${events.length} progress events`);
        for (let i = 0; i < events.length; i++) {
          const p = events[i];
          assert.equal(p.direction, direction);
          assert.equal(p.total, size);
          assert.equal(p.file, 'p.bin');
          assert.ok(p.rate >= 0 && Number.isFinite(p.rate), `${side}: rate ${p.rate}`);
          assert.ok(p.etaSeconds === undefined || p.etaSeconds >= 0, `${side}: eta ${p.etaSeconds}`);
          assert.ok(p.bytes >= 0 && p.bytes <= size, `${side}: bytes ${p.bytes}`);
          if (i > 0) assert.ok(p.bytes >= events[i - 1].bytes, `${side}: ${events[i - 1].bytes} then ${p.bytes}`);
        }
        assert.equal(events[events.length - 1].bytes, size, `${side}: ends at the total`);
        assert.equal(events[events.length - 1].transfer, t.transferId);
      }
    });
  });

  // ------------------------------------------------------------------------ flow control and throttle

  describe('flow control', () => {
    /** Raw sender and raw receiver with one accepted single-file transfer between them. */
    async function rawPair(relayOptions: Parameters<typeof fx.relay>[0], size: number) {
      const { port } = await fx.relay(relayOptions);
      const rx = await fx.raw(port);
      await rx.handshake({ name: 'rx' });
      const tx = await fx.raw(port);
      await tx.handshake({ name: 'tx' });
      tx.send({ t: 'offer', ref: 'offer-1', to: rx.clientId, key: 'key-0123456789abcdef', files: [{ name: 'f.bin', size }] });
      const offer = await rx.waitForType('offer');
      rx.send({ t: 'answer', transfer: offer.transfer, accept: true });
      const answered = await tx.waitForType('answered');
      await rx.waitForType('answered');
      assert.equal(answered.accept, true);
      const stream = answered.streams![0].stream;
      return { port, rx, tx, stream };
    }

    it('the relay clamps credit to maxWindowBytes and drops credit beyond it', async () => {
      const WINDOW = MiB;
      const { rx, tx, stream } = await rawPair({ maxWindowBytes: WINDOW }, 8 * MiB);
      rx.send({ t: 'credit', stream, bytes: 2 ** 31 });
      const credit = await tx.waitForType('credit');
      assert.equal(credit.stream, stream);
      assert.equal(credit.bytes, WINDOW);
      rx.send({ t: 'credit', stream, bytes: 1000 });
      await rx.roundTrip(1);
      await tx.roundTrip(2);
      assert.deepEqual(
        tx.messages.filter((m) => m.t === 'credit').map((m) => (m as Extract<RelayMessage, { t: 'credit' }>).bytes),
        [WINDOW],
        'no credit beyond the window reached the sender',
      );
    });

    it('a sender that sends more than its credit is disconnected with TOO_LARGE; the extra bytes never reach the receiver', async () => {
      const WINDOW = MiB;
      const { rx, tx, stream } = await rawPair({ maxWindowBytes: WINDOW }, 8 * MiB);
      rx.send({ t: 'credit', stream, bytes: WINDOW });
      await tx.waitForType('credit');
      tx.sendData(stream, Buffer.alloc(WINDOW, 1));
      await rx.waitForDataBytes(WINDOW);
      tx.sendData(stream, Buffer.alloc(1, 2));
      const error = await tx.waitForType('error');
      assert.equal(error.code, ErrorCode.TooLarge);
      assert.equal(error.fatal, true);
      await tx.waitClosed();
      const cancel = await rx.waitForType('cancel');
      assert.equal(cancel.resumable, true);
      assert.equal(rx.dataBytes, WINDOW, 'exactly the credited bytes were delivered');
    });

    it('a real sender never sends beyond the credit it got, and its last frame carries the SHA-256', async () => {
      const { port } = await fx.relay();
      const rx = await fx.raw(port);
      await rx.handshake({ name: 'rx' });
      const alice = await fx.connect(port, 'alice');
      await when(ee(alice), ['peer-joined'], () => [...alice.peers.values()].some((p) => p.clientId === rx.clientId) || undefined, 'alice to see rx');
      const root = fx.tempDir();
      const file = path.join(root, 'f.bin');
      const size = 300_000;
      const hash = writeSeededFile(file, size, 8);
      const t = await alice.sendFiles(rx.clientId, [file], { chunkBytes: 16 * 1024 });
      const offer = await rx.waitForType('offer');
      assert.deepEqual(offer.files, [{ name: 'f.bin', size }]);
      rx.send({ t: 'answer', transfer: offer.transfer, accept: true });
      const answered = await rx.waitFor<Answered>((m) => m.t === 'answered', 'answered');
      const stream = answered.streams![0].stream;
      const FIRST = 100_000;
      rx.send({ t: 'credit', stream, bytes: FIRST });
      await rx.waitForDataBytes(FIRST);
      // A full round trip alice → relay → rx → relay → alice: alice had every chance to send more.
      await within(alice.pingPeer(rx.clientId), 'peer ping');
      await rx.roundTrip(3);
      assert.equal(rx.dataBytes, FIRST, 'nothing beyond the credit');
      assert.equal(alice.state, 'connected');
      rx.send({ t: 'credit', stream, bytes: size - FIRST });
      const end = await rx.waitForData((f) => (f.flags & FrameFlag.End) !== 0, 'the End frame');
      assert.equal(end.payload.length, 32);
      assert.equal(end.payload.toString('hex'), hash);
      const body = Buffer.concat(rx.data.filter((f) => !(f.flags & FrameFlag.End)).map((f) => f.payload));
      assert.equal(body.length, size);
      assert.equal(sha256(body), hash);
      assert.ok(rx.data.every((f) => f.stream === stream && f.payload.length <= 16 * 1024));
      rx.send({ t: 'file-result', stream, ok: true });
      await within(t.done, 'alice: confirmed by the raw receiver');
    });

    it('file data gives others a turn every 64 KiB while they talk: a transfer with someone chatting throughout arrives whole, and so does every message', async () => {
      const { port, alice, bob, src, dl } = await team();
      const carol = await fx.connect(port, 'carol');
      await seesPeers(carol, [bob]);
      const file = path.join(src, 'f.bin');
      const hash = writeSeededFile(file, 32 * MiB, 11);
      const heard: string[] = [];
      bob.on('message', (m) => {
        if (m.text.startsWith('during ')) heard.push(m.text);
      });
      // Turns given up by any session (short reads, which is all carol's are, never give one up).
      const original = Session.prototype.pauseReading;
      let turns = 0;
      Session.prototype.pauseReading = function (this: Session, reason: PauseReason) {
        if (reason === 'turn') turns++;
        original.call(this, reason);
      };
      try {
        const accepted = acceptNext(bob, { dir: dl });
        const t = await alice.sendFiles(bob.clientId, [file]);
        const incoming = await accepted;
        let done = false;
        const finished = Promise.all([incoming.done, t.done]).finally(() => (done = true));
        const acks: Promise<unknown>[] = [];
        while (!done) {
          acks.push(carol.send([bob.clientId], `during ${acks.length}`));
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        const [[got]] = await within(finished, 'the transfer with carol chatting');
        await within(Promise.all(acks), "carol's messages acked");
        assert.equal(got.sha256, hash);
        await eventually(() => heard.length >= acks.length, "all of carol's messages at bob");
        assert.deepEqual(
          heard,
          acks.map((_, i) => `during ${i}`),
          'every message, once, in order',
        );
        assert.ok(turns > 0, 'the sender gave up turns while carol talked');
      } finally {
        Session.prototype.pauseReading = original;
      }
    });

    it('a relay with a small maxWindowBytes (1 MiB) still completes a transfer with the default receive window', async () => {
      const { alice, bob, src, dl } = await team({ maxWindowBytes: MiB });
      const file = path.join(src, 'f.bin');
      const hash = writeSeededFile(file, 8 * MiB, 4);
      const accepted = acceptNext(bob, { dir: dl });
      const t = await alice.sendFiles(bob.clientId, [file]);
      const incoming = await accepted;
      const [[got]] = await within(Promise.all([incoming.done, t.done]), 'the transfer through a 1 MiB relay window (stalls if clamped credit is lost)', 6000);
      assert.equal(got.sha256, hash);
    });

    it('chunkBytes above the relay frame limit (2 MiB) does not get the sender disconnected over and over', async () => {
      const { alice, bob, src, dl } = await team();
      const file = path.join(src, 'f.bin');
      const hash = writeSeededFile(file, 8 * MiB, 5);
      let disconnects = 0;
      let firstReason = '';
      alice.on('disconnected', (e) => {
        if (disconnects++ === 0) firstReason = `${e.code}: ${e.message}`;
      });
      const accepted = acceptNext(bob, { dir: dl });
      // Either the chunk size is clamped to what the relay takes (welcome.maxPayload) and the
      // transfer completes, or the request is refused up front; never a reconnect loop.
      let outcome: string;
      try {
        const t = await alice.sendFiles(bob.clientId, [file], { chunkBytes: 4 * MiB });
        const incoming = await accepted;
        const [[got]] = await within(Promise.all([incoming.done, t.done]), 'the transfer with 4 MiB chunks', 6000);
        assert.equal(got.sha256, hash);
        outcome = 'completed';
      } catch (err) {
        outcome = `${(err as { code?: string }).code ?? 'no code'}: ${(err as Error).message}`;
      }
      assert.equal(disconnects, 0, `alice was disconnected ${disconnects} times (first: ${firstReason}); outcome: ${outcome}`);
      assert.ok(outcome === 'completed' || !outcome.startsWith('no code'), outcome);
    });

    it('throttle: 3 MB through a relay limited to 2 MB/s takes at least a second', async () => {
      const { alice, bob, src, dl } = await team({ throttleBytesPerSecond: 2_000_000 });
      const file = path.join(src, 't.bin');
      const hash = writeSeededFile(file, 3_000_000, 6);
      const accepted = acceptNext(bob, { dir: dl });
      const started = Date.now();
      const t = await alice.sendFiles(bob.clientId, [file]);
      const incoming = await accepted;
      const [got] = await within(incoming.done, 'the throttled transfer', 20_000);
      await within(t.done, 'alice: confirmed');
      const elapsed = Date.now() - started;
      assert.equal(got.sha256, hash);
      assert.ok(elapsed >= 1000, `took ${elapsed} ms; the rate limit allows no less than ~1.2 s`);
    });
  });
});
