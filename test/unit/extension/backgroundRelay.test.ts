import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { findBackgroundRelay, startBackgroundRelay, stopBackgroundRelay } from '../../../src/extension/backgroundRelay';
import { createCertificate } from '../../../src/server/certificate';
import { CLI } from '../helpers/cliProcess';
import { connectClient, freePort, sendAndAck, tempDir, useCleanup, withTimeout } from '../helpers/loopback';

/** The local relay as a process of its own (keepRunning): the real command-line relay, detached. */
describe('background relay (the local relay that outlives VS Code)', function () {
  this.timeout(30_000);
  const cleanup = useCleanup();

  it('starts detached on the local relay’s folder, certificate and secret; is found again; stops gracefully and is forgotten', async function () {
    const storage = tempDir(cleanup);
    const historyDir = path.join(storage, 'relay');
    const cert = createCertificate({ commonName: 'Team Messenger relay', altNames: ['localhost', '127.0.0.1'] });
    fs.mkdirSync(path.join(storage, 'relay-tls'));
    const certFile = path.join(storage, 'relay-tls', 'cert.pem');
    const keyFile = path.join(storage, 'relay-tls', 'key.pem');
    fs.writeFileSync(certFile, cert.certPem);
    fs.writeFileSync(keyFile, cert.keyPem);
    const port = await freePort();
    const secret = 'the local team secret';
    cleanup.add('background relay', () => stopBackgroundRelay(historyDir));

    const started = await startBackgroundRelay(
      { historyDir, certFile, keyFile },
      { cli: CLI, node: process.execPath, host: '127.0.0.1', port, secret, historyMax: 1000 },
    );
    assert.equal(started.port, port);
    assert.notEqual(started.pid, process.pid);
    assert.deepEqual(await findBackgroundRelay(historyDir), started, 'a window finds it by its record');

    const tls = { fingerprint: cert.fingerprint256 };
    const alice = await connectClient(cleanup, port, { name: 'alice', secret, tls });
    const bob = await connectClient(cleanup, port, { name: 'bob', secret, tls });
    await sendAndAck(alice, [bob.clientId], 'through the background relay');
    await bob.waitForText('through the background relay');
    assert.ok(fs.existsSync(path.join(historyDir, 'history.jsonl')), 'its history is the local relay’s folder');
    assert.equal(fs.readFileSync(path.join(historyDir, 'background.log'), 'utf8').includes(secret), false, 'the secret is not in its log');

    const down = bob.waitForNext('disconnected');
    await stopBackgroundRelay(historyDir);
    assert.equal((await withTimeout(down, 'bob to be told')).code, 'SERVER_SHUTDOWN', 'a graceful stop tells the clients');
    assert.equal(await findBackgroundRelay(historyDir), undefined, 'and it is forgotten');
  });

  it('says why when it cannot start (the port is taken), and leaves no record', async function () {
    const storage = tempDir(cleanup);
    const historyDir = path.join(storage, 'relay');
    const cert = createCertificate({ commonName: 'relay' });
    const certFile = path.join(storage, 'cert.pem');
    const keyFile = path.join(storage, 'key.pem');
    fs.writeFileSync(certFile, cert.certPem);
    fs.writeFileSync(keyFile, cert.keyPem);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    cleanup.add('blocker', () => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as net.AddressInfo).port;
    await assert.rejects(
      startBackgroundRelay({ historyDir, certFile, keyFile }, { cli: CLI, node: process.execPath, host: '127.0.0.1', port: port, secret: 's', historyMax: 10 }),
      /port \d+ is already in use/,
    );
    assert.equal(await findBackgroundRelay(historyDir), undefined);
  });
});
