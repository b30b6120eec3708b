import { strict as assert } from 'node:assert';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { CliFixture, jsonLines, runCli } from '../helpers/cliProcess';

function sha256Of(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function writeRandom(file: string, size: number): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const data = crypto.randomBytes(size);
  fs.writeFileSync(file, data);
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** `send-file` and `listen --accept-files` as real child processes over real sockets. */
describe('CLI: send-file and listen --accept-files', function () {
  this.timeout(30_000);
  const fx = new CliFixture();
  afterEach(() => fx.cleanup());

  it('delivers files and a folder; send-file exits 0 only once the receiver has them, listen prints file-received with the right sha256', async () => {
    const { env, common } = await fx.team();
    const src = fx.tempDir();
    const inbox = path.join(fx.tempDir(), 'inbox'); // created on the first accepted file
    const expected = new Map<string, string>([
      ['report.pdf', writeRandom(path.join(src, 'report.pdf'), 200_000)],
      ['empty.txt', writeRandom(path.join(src, 'empty.txt'), 0)],
      ['folder/a.txt', writeRandom(path.join(src, 'folder', 'a.txt'), 1234)],
      ['folder/sub/b.bin', writeRandom(path.join(src, 'folder', 'sub', 'b.bin'), 1_500_000)],
    ]);
    const bob = fx.start(['listen', ...common, '--name', 'bob', '--json', '--accept-files', inbox], env);
    await bob.waitForEvent('connected');
    const sent = await runCli(
      ['send-file', ...common, '--name', 'ci', '--to', 'bob', '--json', path.join(src, 'report.pdf'), path.join(src, 'empty.txt'), path.join(src, 'folder')],
      env,
    );
    assert.equal(sent.code, 0, sent.stderr);
    // At the moment send-file exits, every file is on bob's disk under its final name, verified.
    for (const [name, hash] of expected) {
      const file = path.join(inbox, ...name.split('/'));
      assert.ok(fs.existsSync(file), `${name} is in the inbox when send-file exits`);
      assert.equal(sha256Of(file), hash, name);
    }
    assert.ok(!fs.readdirSync(inbox).some((n) => n.endsWith('.part')), 'no temporary files left');

    const events = jsonLines(sent.stdout);
    assert.equal(events[0].type, 'offered');
    assert.equal(events[0].size, 200_000 + 0 + 1234 + 1_500_000);
    assert.equal(events[events.length - 1].type, 'done');
    const fileSent = events.filter((e) => e.type === 'file-sent');
    assert.deepEqual(new Map(fileSent.map((e) => [e.name as string, e.sha256 as string])), expected);

    for (const [name, hash] of expected) {
      const received = await bob.waitForEvent('file-received', (e) => e.name === name);
      assert.equal(received.from, 'ci');
      assert.equal(received.sha256, hash, name);
      assert.equal(received.size, fs.statSync(path.join(inbox, ...name.split('/'))).size);
      assert.equal(received.path, path.join(inbox, ...name.split('/')));
    }
    const offer = await bob.waitForEvent('file-offer');
    assert.equal(offer.accepted, true);
    assert.equal(offer.from, 'ci');
    assert.equal(bob.events.filter((e) => e.type === 'file-received').length, expected.size);
    assert.equal(bob.events.filter((e) => e.type === 'file-failed').length, 0);
  });

  it('a second send of the same file lands as "name (1)" and the first copy is kept', async () => {
    const { env, common } = await fx.team();
    const src = fx.tempDir();
    const inbox = fx.tempDir();
    const hash = writeRandom(path.join(src, 'notes.txt'), 5000);
    fs.writeFileSync(path.join(inbox, 'notes.txt'), 'mine, do not touch');
    const bob = fx.start(['listen', ...common, '--name', 'bob', '--json', '--accept-files', inbox], env);
    await bob.waitForEvent('connected');
    const sent = await runCli(['send-file', ...common, '--name', 'ci', '--to', 'bob', path.join(src, 'notes.txt')], env);
    assert.equal(sent.code, 0, sent.stderr);
    const received = await bob.waitForEvent('file-received');
    assert.equal(received.path, path.join(inbox, 'notes (1).txt'));
    assert.equal(sha256Of(path.join(inbox, 'notes (1).txt')), hash);
    assert.equal(fs.readFileSync(path.join(inbox, 'notes.txt'), 'utf8'), 'mine, do not touch');
  });

  it('send-file to a listener without --accept-files exits 6 (declined)', async () => {
    const { env, common } = await fx.team();
    const src = fx.tempDir();
    writeRandom(path.join(src, 'f.bin'), 1000);
    const bob = fx.start(['listen', ...common, '--name', 'bob', '--json'], env);
    await bob.waitForEvent('connected');
    const sent = await runCli(['send-file', ...common, '--name', 'ci', '--to', 'bob', path.join(src, 'f.bin')], env);
    assert.equal(sent.code, 6, sent.stderr);
    assert.match(sent.stderr, /declined/);
    assert.match(sent.stderr, /DECLINED/);
    const offer = await bob.waitForEvent('file-offer');
    assert.equal(offer.accepted, false);
    assert.equal(bob.events.filter((e) => e.type === 'file-received').length, 0);
  });

  it('send-file over the listener --max-file-size exits 6 and the listener reports TOO_LARGE', async () => {
    const { env, common } = await fx.team();
    const src = fx.tempDir();
    const inbox = path.join(fx.tempDir(), 'inbox');
    writeRandom(path.join(src, 'big.bin'), 50_000);
    const bob = fx.start(['listen', ...common, '--name', 'bob', '--json', '--accept-files', inbox, '--max-file-size', '10000'], env);
    await bob.waitForEvent('connected');
    const sent = await runCli(['send-file', ...common, '--name', 'ci', '--to', 'bob', path.join(src, 'big.bin')], env);
    assert.equal(sent.code, 6, sent.stderr);
    const failed = await bob.waitForEvent('file-failed');
    assert.equal(failed.code, 'TOO_LARGE');
    assert.equal(fs.existsSync(inbox), false, 'nothing written');
  });

  it('send-file of a missing path exits 2 without connecting', async () => {
    const env = fx.env();
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const missing = path.join(fx.tempDir(), 'does-not-exist.txt');
      const result = await runCli(['send-file', '--server', `127.0.0.1:${port}`, '--secret', 's', '--name', 'ci', '--to', 'bob', missing], env);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /no such file/);
      assert.ok(result.stderr.includes(missing), 'names the missing path');
      assert.equal(connections, 0, 'never connected to the relay');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('send-file to an unknown peer exits 5', async () => {
    const { env, common } = await fx.team();
    const src = fx.tempDir();
    writeRandom(path.join(src, 'f.bin'), 100);
    const result = await runCli(['send-file', ...common, '--name', 'ci', '--to', 'nobody', path.join(src, 'f.bin')], env);
    assert.equal(result.code, 5, result.stderr);
    assert.match(result.stderr, /no peer called "nobody"/);
    assert.match(result.stderr, /NO_SUCH_PEER/);
  });
});
