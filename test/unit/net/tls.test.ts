import type { LogFields } from '../../../src/net/logger';
import { strict as assert } from 'node:assert';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { decodeRelayMessage } from '../../../src/net/protocol/controlCodec';
import { ErrorCode } from '../../../src/net/protocol/errors';
import { FrameDecoder } from '../../../src/net/protocol/frameDecoder';
import { RelayMessage } from '../../../src/net/protocol/messages';
import { IncomingTransfer } from '../../../src/net/transfer/incomingTransfer';
import { Relay } from '../../../src/server/relay';
import { Certificate, createCertificate } from '../../../src/server/certificate';
import {
  Cleanup,
  HOST,
  SECRET,
  TcpProxy,
  TestClientOptions,
  connectClient,
  createClient,
  rejectsWithCode,
  sendAndAck,
  sleep,
  startRelay,
  tempDir,
  useCleanup,
  withTimeout,
} from '../helpers/loopback';
import { LogCapture, closed, deferred, holdings, until } from '../helpers/security';

function relayCert(): Certificate {
  return createCertificate({ commonName: 'Team Messenger relay', altNames: ['localhost', '127.0.0.1'] });
}

async function tlsRelay(
  cleanup: Cleanup,
  cert: Certificate,
  options: Parameters<typeof startRelay>[1] = {},
): Promise<{ relay: Relay; port: number; log: LogCapture }> {
  const log = new LogCapture();
  const relay = await startRelay(cleanup, { tls: { certPem: cert.certPem, keyPem: cert.keyPem }, logger: log, floodLogIntervalMs: 50, ...options });
  return { relay, port: relay.address().port, log };
}

/** A client that pins `cert` and must never be asked to trust anything. */
function pinnedOptions(cert: Certificate, name: string): TestClientOptions {
  return {
    name,
    tls: {
      fingerprint: cert.fingerprint256,
      trustOnFirstUse: () => {
        throw new Error(`${name} was asked to trust a certificate although one is pinned`);
      },
    },
  };
}

/** Sessions the relay started (each got a challenge): one per TLS connection that finished its handshake. */
function sessionsStarted(log: LogCapture): number {
  return log.count('connection accepted');
}

/** The first bytes a TLS client sends: its ClientHello. */
async function captureClientHello(cleanup: Cleanup): Promise<Buffer> {
  const server = net.createServer();
  cleanup.add('hello catcher', () => new Promise<void>((resolve) => server.close(() => resolve())));
  await new Promise<void>((resolve) => server.listen(0, HOST, () => resolve()));
  const got = new Promise<Buffer>((resolve) =>
    server.once('connection', (socket) => {
      socket.once('data', (chunk: Buffer) => {
        resolve(chunk);
        socket.destroy();
      });
    }),
  );
  const client = tls.connect({ host: HOST, port: (server.address() as net.AddressInfo).port, rejectUnauthorized: false });
  client.on('error', () => undefined);
  cleanup.add('hello sender', () => client.destroy());
  return withTimeout(got, 'a ClientHello');
}

describe('TLS between the relay and the client', function () {
  const cleanup = useCleanup();

  describe('pinning', function () {
    it('trust on first use: asks with the relay fingerprint before sending anything, pins it, and does not ask again on reconnect', async function () {
      const cert = relayCert();
      const { relay, port, log } = await tlsRelay(cleanup, cert);
      const proxy = await TcpProxy.start(cleanup, port);
      const asked: string[] = [];
      const pinned: string[] = [];
      const answer = deferred<boolean>();
      const question = deferred<void>();
      const alice = createClient(cleanup, proxy.port, {
        name: 'alice',
        tls: {
          trustOnFirstUse: (fingerprint) => {
            asked.push(fingerprint);
            question.resolve();
            return answer.promise;
          },
          onPinned: (fingerprint) => pinned.push(fingerprint),
        },
      });
      const connecting = alice.connect();
      await withTimeout(question.promise, 'alice to be asked');
      assert.deepEqual(asked, [cert.fingerprint256], 'asked once, with the fingerprint the relay printed');

      // The relay has sent its challenge; while the user decides, the client must not answer it.
      await log.waitFor('connection accepted');
      await sleep(200);
      assert.equal(relay.clientCount, 0, 'no hello reached the relay before the certificate was trusted');
      assert.equal(log.find('peer joined').length, 0);
      assert.equal(log.find('closing connection').length, 0, 'the relay received nothing to refuse either');
      assert.equal(alice.state, 'connecting');
      assert.deepEqual(pinned, [], 'nothing pinned before the answer');

      answer.resolve(true);
      const welcome = await withTimeout(connecting, 'alice to connect once she trusts the relay');
      assert.equal(welcome.clientId, alice.clientId);
      assert.deepEqual(pinned, [cert.fingerprint256], 'onPinned stores the trusted fingerprint');
      assert.equal(relay.clientCount, 1);

      // A lost connection: the pin is kept, the same certificate is accepted without asking.
      const disconnected = alice.waitForNext('disconnected');
      proxy.cutAll();
      await disconnected;
      await alice.waitForNext('welcome', () => true, 'alice to reconnect');
      assert.deepEqual(asked, [cert.fingerprint256], 'not asked again');
      assert.deepEqual(pinned, [cert.fingerprint256], 'not pinned again');
      // The second 'connection accepted' from this address comes as a flood log's count.
      await log.waitForCount('connection accepted', () => true, 2);
      assert.equal(log.count('connection accepted'), 2);
    });

    it('connects with a configured fingerprint, in any case and with or without colons, without asking', async function () {
      const cert = relayCert();
      const { relay, port } = await tlsRelay(cleanup, cert);
      const alice = await connectClient(cleanup, port, pinnedOptions(cert, 'alice'));
      const plainHex = cert.fingerprint256.replace(/:/g, '').toLowerCase();
      const bob = await connectClient(cleanup, port, { name: 'bob', tls: { fingerprint: plainHex } });
      assert.equal(relay.clientCount, 2);
      await sendAndAck(alice, [bob.clientId], 'over a pinned channel');
      const got = await bob.waitForText('over a pinned channel');
      assert.equal(got.from, alice.clientId);
    });

    it('refuses a relay that comes back on the same port with a new certificate: TLS_FINGERPRINT_MISMATCH naming both, and stops reconnecting', async function () {
      const first = relayCert();
      const second = relayCert();
      const { relay: original, port } = await tlsRelay(cleanup, first);
      // Clients go through a proxy that counts their connection attempts.
      const proxy = await TcpProxy.start(cleanup, port);
      const asked: string[] = [];
      // One client pinned by trust on first use, one configured with the fingerprint.
      const alice = await connectClient(cleanup, proxy.port, {
        name: 'alice',
        tls: {
          trustOnFirstUse: (fp) => {
            asked.push(fp);
            return true;
          },
        },
      });
      const bob = await connectClient(cleanup, proxy.port, pinnedOptions(first, 'bob'));
      assert.deepEqual(asked, [first.fingerprint256]);

      await original.stop('replaced by an impostor');
      const { relay: impostor, log } = await tlsRelay(cleanup, second, { port });
      // A message written while away must not go to the impostor: it fails with the mismatch.
      const queued = rejectsWithCode(alice.send([bob.clientId], 'for the real relay only'), ErrorCode.TlsFingerprintMismatch, 'the queued message');
      for (const client of [alice, bob]) {
        const error = await client.waitFor('disconnected', (e) => e.code === ErrorCode.TlsFingerprintMismatch, `${client.name} to refuse the new certificate`);
        assert.ok(error.message.includes(first.fingerprint256), `names the pinned fingerprint: ${error.message}`);
        assert.ok(error.message.includes(second.fingerprint256), `names the presented fingerprint: ${error.message}`);
        await client.waitFor('state', (s) => s === 'closed', `${client.name} to give up`);
      }
      await queued;
      assert.deepEqual(asked, [first.fingerprint256], 'a changed certificate is not offered for trust on first use');

      // No more attempts: for longer than the largest backoff (200 ms in tests), no new connection.
      const attempts = proxy.connections;
      await sleep(500);
      assert.equal(proxy.connections, attempts, 'the clients stopped reconnecting');
      assert.equal(impostor.clientCount, 0, 'the impostor never received a hello');
      assert.equal(log.find('peer joined').length + log.find('closing connection').length, 0);
      for (const client of [alice, bob]) {
        assert.equal(client.state, 'closed');
        await rejectsWithCode(client.send('all', 'too late'), ErrorCode.Closed, `${client.name} sending after giving up`);
      }
    });

    it('refuses when trust on first use says no, throws, or is not offered: TLS_UNTRUSTED, closed, and the relay never got a hello', async function () {
      const cert = relayCert();
      const { relay, port: relayPort, log } = await tlsRelay(cleanup, cert);
      const proxy = await TcpProxy.start(cleanup, relayPort);
      const port = proxy.port;
      const joined: unknown[] = [];
      relay.on('peer-joined', (p) => joined.push(p));
      const cases: { label: string; trustOnFirstUse?: (fp: string) => boolean | Promise<boolean> }[] = [
        { label: 'says no', trustOnFirstUse: () => false },
        { label: 'says no later', trustOnFirstUse: () => sleep(50).then(() => false) },
        {
          label: 'throws',
          trustOnFirstUse: () => {
            throw new Error('the prompt crashed');
          },
        },
        { label: 'is not offered' },
      ];
      for (const [i, c] of cases.entries()) {
        const pinned: string[] = [];
        const client = createClient(cleanup, port, {
          name: `wary${i}`,
          tls: { ...(c.trustOnFirstUse ? { trustOnFirstUse: c.trustOnFirstUse } : {}), onPinned: (fp) => pinned.push(fp) },
        });
        const error = await rejectsWithCode(client.connect(), ErrorCode.TlsUntrusted, `a client whose trust on first use ${c.label}`);
        assert.ok(error.message.includes(cert.fingerprint256), `the refusal shows the fingerprint: ${error.message}`);
        assert.equal(client.state, 'closed', `${c.label}: gives up`);
        assert.deepEqual(pinned, [], `${c.label}: nothing pinned`);
        assert.equal(proxy.connections, i + 1, `${c.label}: one connection attempt`);
      }
      await sleep(300);
      assert.equal(proxy.connections, cases.length, 'no reconnects');
      assert.equal(relay.clientCount, 0);
      assert.deepEqual(joined, []);
      assert.equal(log.find('peer joined').length, 0);
      assert.equal(log.find('closing connection').length, 0, 'no hello arrived, not even one to refuse');
      await until(() => holdings(relay).sessions === 0 && holdings(relay).admitted === 0, 'the relay to let go of the refused connections');
    });
  });

  describe('certificate authorities', function () {
    it('accepts a CA-issued relay certificate with `tls: {ca}` and refuses a self-signed one, another CA, or the wrong name', async function () {
      const ca = createCertificate({ commonName: 'Example Corp CA', isCa: true });
      const issued = createCertificate({ commonName: 'relay', altNames: ['127.0.0.1'], issuer: ca });
      const neverAsk = () => {
        throw new Error('a client with a CA must not fall back to trust on first use');
      };
      const { relay, port } = await tlsRelay(cleanup, issued);
      const alice = await connectClient(cleanup, port, { name: 'alice', tls: { ca: ca.certPem, trustOnFirstUse: neverAsk } });
      const bob = await connectClient(cleanup, port, { name: 'bob', tls: { ca: ca.certPem } });
      await sendAndAck(bob, [alice.clientId], 'verified by the company CA');
      await alice.waitForText('verified by the company CA');
      assert.equal(relay.clientCount, 2);

      const otherCa = createCertificate({ commonName: 'Example Corp CA', isCa: true }); // same name, other key
      const wrong: { label: string; cert: Certificate }[] = [
        { label: 'a self-signed relay', cert: relayCert() },
        { label: 'a relay certified by another CA', cert: createCertificate({ commonName: 'relay', altNames: ['127.0.0.1'], issuer: otherCa }) },
        { label: 'a relay certified for another name', cert: createCertificate({ commonName: 'relay', altNames: ['relay.example.com'], issuer: ca }) },
      ];
      for (const w of wrong) {
        const other = await tlsRelay(cleanup, w.cert);
        const client = createClient(cleanup, other.port, { name: 'carol', tls: { ca: ca.certPem, trustOnFirstUse: neverAsk } });
        const error = await rejectsWithCode(client.connect(), ErrorCode.TlsUntrusted, `${w.label} with tls: {ca}`);
        assert.match(error.message, /certificate is not trusted/, `${w.label}: ${error.message}`);
        assert.equal(client.state, 'closed', `${w.label}: gives up`);
        assert.equal(other.relay.clientCount, 0);
        assert.equal(sessionsStarted(other.log), 0, `${w.label}: the TLS handshake itself failed`);
      }
    });
  });

  describe('mixing TLS and plain TCP', function () {
    it('a plain client against a TLS relay fails with UNREACHABLE telling to connect with TLS (client timeout first)', async function () {
      const { relay, port, log } = await tlsRelay(cleanup, relayCert(), { handshakeTimeoutMs: 10_000 });
      const client = createClient(cleanup, port, { name: 'plain', connectTimeoutMs: 300, retryFirstConnect: false });
      const error = await rejectsWithCode(client.connect(), ErrorCode.Unreachable, 'a plain client against a TLS relay');
      assert.match(error.message, /connect with TLS/, error.message);
      assert.equal(client.state, 'closed');
      assert.equal(relay.clientCount, 0);
      assert.equal(sessionsStarted(log), 0);
    });

    it('a plain client against a TLS relay fails with UNREACHABLE telling to connect with TLS (relay handshake timeout first)', async function () {
      const { relay, port, log } = await tlsRelay(cleanup, relayCert(), { handshakeTimeoutMs: 200 });
      const client = createClient(cleanup, port, { name: 'plain', connectTimeoutMs: 5000, retryFirstConnect: false });
      const error = await rejectsWithCode(client.connect(), ErrorCode.Unreachable, 'a plain client against a TLS relay');
      assert.match(error.message, /connect with TLS/, error.message);
      const [timeout] = await log.waitFor('closing connection', (f) => f.code === ErrorCode.HandshakeTimeout);
      assert.match(String(timeout.fields.reason), /TLS handshake/);
      assert.equal(relay.clientCount, 0);
    });

    it('a TLS client against a plain relay fails saying the relay does not speak TLS', async function () {
      const relay = await startRelay(cleanup);
      const asked: string[] = [];
      const client = createClient(cleanup, relay.address().port, {
        name: 'secure',
        retryFirstConnect: false,
        tls: {
          trustOnFirstUse: (fp) => {
            asked.push(fp);
            return true;
          },
        },
      });
      const error = await rejectsWithCode(client.connect(), ErrorCode.Unreachable, 'a TLS client against a plain relay');
      assert.match(error.message, /does not speak TLS/, error.message);
      assert.equal(client.state, 'closed');
      assert.deepEqual(asked, [], 'there was no certificate to ask about');
      assert.equal(relay.clientCount, 0);
    });
  });

  describe('over TLS', function () {
    it('chat and a file transfer work end to end, and nothing readable crosses the wire', async function () {
      this.timeout(20_000);
      const cert = relayCert();
      const { relay, port } = await tlsRelay(cleanup, cert);
      const proxy = await TcpProxy.start(cleanup, port);
      const alice = await connectClient(cleanup, proxy.port, pinnedOptions(cert, 'alice'));
      const bob = await connectClient(cleanup, proxy.port, pinnedOptions(cert, 'bob'));
      await alice.waitFor('peer-joined', (p) => p.clientId === bob.clientId);

      const secretWords = ['a confidential roadmap', 'the launch date is Tuesday', 'ok, for everyone'];
      await sendAndAck(alice, [bob.clientId], secretWords[0]);
      await sendAndAck(bob, [alice.clientId], secretWords[1]);
      await sendAndAck(alice, 'all', secretWords[2]);
      await bob.waitForText(secretWords[0]);
      await alice.waitForText(secretWords[1]);
      await bob.waitForText(secretWords[2]);

      const dir = tempDir(cleanup);
      const marker = 'PLAINTEXT-MARKER-IN-THE-FILE;';
      const content = Buffer.concat([Buffer.from(marker.repeat(1000)), crypto.randomBytes(300 * 1024)]);
      const file = path.join(dir, 'notes.bin');
      fs.writeFileSync(file, content);
      const expected = crypto.createHash('sha256').update(content).digest('hex');
      const offered = new Promise<IncomingTransfer>((resolve) => bob.once('file-offer', resolve));
      const outgoing = await alice.sendFiles(bob.clientId, [file]);
      const incoming = await withTimeout(offered, 'bob to be offered the file');
      await incoming.accept({ dir: path.join(dir, 'downloads') });
      const [received] = await withTimeout(incoming.done, 'bob to receive the file', 10_000);
      await withTimeout(outgoing.done, 'alice to hear it was verified', 10_000);
      assert.equal(received.sha256, expected);
      assert.equal(received.size, content.length);
      assert.ok(fs.readFileSync(received.path).equals(content), 'the bytes on disk are the bytes sent');

      const wire = proxy.allBytes();
      assert.ok(wire.length > content.length, `the file crossed the proxy (${wire.length} bytes)`);
      for (const needle of [...secretWords, marker, SECRET, '"t":"hello"', '"t":"challenge"', 'notes.bin']) {
        assert.equal(wire.indexOf(Buffer.from(needle)), -1, `"${needle}" is not readable on the wire`);
      }
      assert.equal(relay.clientCount, 2);
      for (const c of [alice, bob]) assert.equal(c.events.disconnected.length, 0);
    });
  });

  describe('handshake timeouts', function () {
    it('closes TLS handshakes that never complete (silent, half a ClientHello) and a TLS client that never says hello, after handshakeTimeoutMs', async function () {
      const handshakeTimeoutMs = 300;
      const cert = relayCert();
      const { relay, port, log } = await tlsRelay(cleanup, cert, { handshakeTimeoutMs, floodLogIntervalMs: 50 });
      const alice = await connectClient(cleanup, port, pinnedOptions(cert, 'alice'));
      const clientHello = await captureClientHello(cleanup);
      assert.equal(clientHello[0], 0x16, 'a TLS handshake record');

      const started = Date.now();
      const silent = net.connect({ host: HOST, port });
      const half = net.connect({ host: HOST, port });
      for (const s of [silent, half]) {
        s.on('error', () => undefined);
        cleanup.add('stalled socket', () => s.destroy());
      }
      half.once('connect', () => half.write(clientHello.subarray(0, Math.floor(clientHello.length / 2))));
      const silentReceived: Buffer[] = [];
      silent.on('data', (chunk: Buffer) => silentReceived.push(chunk));

      // Completes TLS, then says nothing: the protocol's own handshake timer applies.
      const mute = tls.connect({ host: HOST, port, rejectUnauthorized: false });
      mute.on('error', () => undefined);
      cleanup.add('mute TLS client', () => mute.destroy());
      const muteMessages: RelayMessage[] = [];
      const decoder = new FrameDecoder((frame) => muteMessages.push(decodeRelayMessage(frame.payload)));
      mute.on('data', (chunk: Buffer) => decoder.push(chunk));

      await withTimeout(Promise.all([closed(silent), closed(half), closed(mute)]), 'the relay to close all three', 5000);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= handshakeTimeoutMs - 20, `not closed before the timeout (${elapsed} ms)`);
      assert.equal(Buffer.concat(silentReceived).length, 0, 'a TLS relay says nothing to a socket that never sends a ClientHello');
      assert.deepEqual(
        muteMessages.map((m) => m.t),
        ['challenge', 'error'],
        'the TLS client got a challenge, then the error',
      );
      const last = muteMessages[1];
      assert.ok(last.t === 'error' && last.code === ErrorCode.HandshakeTimeout && last.fatal);

      // Before login these lines are flood-logged: the second like the first comes as a count.
      const tlsTimeout = (f: LogFields) => f.code === ErrorCode.HandshakeTimeout && /TLS handshake/.test(String(f.reason));
      await log.waitForCount('closing connection', tlsTimeout, 2);
      assert.equal(log.count('closing connection', tlsTimeout), 2, 'both stalled TLS handshakes were logged with the reason');
      assert.equal(
        log.count('closing connection', (f) => f.code === ErrorCode.HandshakeTimeout && /no valid hello/.test(String(f.reason))),
        1,
      );
      await until(() => {
        const h = holdings(relay);
        return h.admitted === 1 && h.handshaking === 0 && h.sessions === 1 && h;
      }, 'the relay to hold only alice');

      const bob = await connectClient(cleanup, port, pinnedOptions(cert, 'bob'));
      await sendAndAck(bob, [alice.clientId], 'still here');
      await alice.waitForText('still here');
      assert.equal(alice.events.disconnected.length, 0, 'alice never noticed');
    });
  });
});
