import { strict as assert } from 'node:assert';
import * as crypto from 'node:crypto';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { Certificate, createCertificate, fingerprintOf } from '../../../src/server/certificate';
import { Cleanup, HOST, useCleanup, withTimeout } from '../helpers/loopback';

const DAY_MS = 86_400_000;

function x509(cert: Certificate): crypto.X509Certificate {
  return new crypto.X509Certificate(cert.certPem);
}

/** The certificate's validity as epoch ms (Node prints "Nov 21 05:59:09 2026 GMT"). */
function validity(cert: crypto.X509Certificate): { from: number; to: number } {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  assert.ok(Number.isFinite(from) && Number.isFinite(to), `validity parses: ${cert.validFrom} .. ${cert.validTo}`);
  return { from, to };
}

/** A TLS echo server with this certificate on 127.0.0.1; resolves with its port. */
async function tlsEchoServer(cleanup: Cleanup, cert: Certificate): Promise<number> {
  const sockets = new Set<tls.TLSSocket>();
  const server = tls.createServer({ cert: cert.certPem, key: cert.keyPem }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.pipe(socket);
  });
  server.on('tlsClientError', () => undefined);
  cleanup.add('tls echo server', async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  return (server.address() as net.AddressInfo).port;
}

type Handshake = { ok: true; socket: tls.TLSSocket; echoed: string } | { ok: false; error: NodeJS.ErrnoException };

/** Connects, and on success sends a line and reads it back through the server. */
async function handshake(cleanup: Cleanup, port: number, options: tls.ConnectionOptions): Promise<Handshake> {
  const socket = tls.connect({ host: HOST, port, ...options });
  cleanup.add('tls client', () => socket.destroy());
  const outcome = await withTimeout(
    new Promise<Handshake>((resolve) => {
      socket.once('secureConnect', () => {
        const line = `ping ${Math.random()}`;
        let got = '';
        socket.on('data', (chunk: Buffer) => {
          got += chunk.toString('utf8');
          if (got.length >= line.length) resolve({ ok: true, socket, echoed: got });
        });
        socket.write(line);
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, error }));
    }),
    'the TLS handshake',
  );
  return outcome;
}

describe('certificates (createCertificate)', function () {
  const cleanup = useCleanup();

  describe('what Node parses', function () {
    it('a self-signed certificate: subject = issuer, SAN with DNS, IPv4 and IPv6, validity, not a CA, its own P-256 key', function () {
      const before = Date.now();
      const cert = createCertificate({
        commonName: 'Team Messenger relay',
        altNames: ['localhost', 'relay.example.com', '127.0.0.1', '10.1.2.3', '::1', 'fe80::1', '2001:db8::8a2e:370:7334'],
        days: 30,
      });
      const after = Date.now();
      const c = x509(cert);
      assert.equal(c.subject, 'CN=Team Messenger relay');
      assert.equal(c.issuer, 'CN=Team Messenger relay', 'self-signed: the issuer is the subject');
      assert.equal(c.ca, false);
      assert.ok(c.verify(c.publicKey), 'self-signed: the signature verifies with its own key');

      const san = c.subjectAltName ?? '';
      for (const dns of ['localhost', 'relay.example.com']) {
        assert.ok(san.includes(`DNS:${dns}`), `SAN has DNS:${dns}: ${san}`);
        assert.equal(c.checkHost(dns), dns, `valid for ${dns}`);
      }
      assert.equal(c.checkHost('other.example.com'), undefined, 'not valid for a name it does not list');
      for (const ip of ['127.0.0.1', '10.1.2.3', '::1', 'fe80::1', '2001:db8::8a2e:370:7334', '2001:0db8:0000:0000:0000:8a2e:0370:7334']) {
        assert.ok(c.checkIP(ip) !== undefined, `valid for IP ${ip}: ${san}`);
      }
      assert.equal(c.checkIP('127.0.0.2'), undefined, 'not valid for an address it does not list');
      assert.equal(c.checkIP('::2'), undefined, 'not valid for an IPv6 address it does not list');
      assert.equal(san.split(', ').length, 7, `exactly the seven names: ${san}`);

      const { from, to } = validity(c);
      // Second precision in the certificate; a minute of back-dating for clock skew.
      assert.ok(from <= before && from >= before - 61_000 - 1000, `valid from about now (${c.validFrom})`);
      assert.ok(to >= before + 30 * DAY_MS - 1000 && to <= after + 30 * DAY_MS + 1000, `valid for 30 days (${c.validTo})`);

      const details = c.publicKey.asymmetricKeyDetails;
      assert.equal(c.publicKey.asymmetricKeyType, 'ec');
      assert.equal(details?.namedCurve, 'prime256v1');
      const key = crypto.createPrivateKey(cert.keyPem);
      assert.ok(c.checkPrivateKey(key), 'keyPem is the private key of the certificate');
      assert.match(cert.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
      assert.match(
        cert.certPem,
        /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/,
        'PEM with 64-character lines',
      );
    });

    it('fingerprint256 is the SHA-256 of the DER, as X509Certificate and fingerprintOf print it', function () {
      const cert = createCertificate({ commonName: 'fp', altNames: ['127.0.0.1'] });
      const c = x509(cert);
      assert.equal(cert.fingerprint256, c.fingerprint256);
      assert.equal(fingerprintOf(cert.certPem), c.fingerprint256);
      const computed = crypto.createHash('sha256').update(c.raw).digest('hex').toUpperCase().match(/../g)!.join(':');
      assert.equal(cert.fingerprint256, computed);
      assert.match(cert.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    });

    it('every certificate has its own key, serial number and fingerprint; serials are positive', function () {
      const certs = Array.from({ length: 20 }, (_, i) => createCertificate({ commonName: `c${i}` }));
      const parsed = certs.map(x509);
      assert.equal(new Set(certs.map((c) => c.fingerprint256)).size, certs.length);
      assert.equal(new Set(parsed.map((c) => c.serialNumber)).size, certs.length);
      assert.equal(new Set(certs.map((c) => c.keyPem)).size, certs.length);
      for (const c of parsed) {
        // 16 random bytes; a leading byte >= 0x80 without a 00 before it would be a negative DER INTEGER (printed with a minus).
        assert.match(c.serialNumber, /^[0-9A-F]{1,32}$/, `serial ${c.serialNumber} is positive and at most 16 bytes`);
        assert.notEqual(BigInt(`0x${c.serialNumber}`), 0n);
      }
      assert.equal(parsed[0].subjectAltName, undefined, 'no altNames: no SAN extension');
    });

    it('long SAN lists (multi-byte DER lengths) and validity past 2049 (GeneralizedTime) parse', function () {
      const names = Array.from({ length: 40 }, (_, i) => `host-${i}.a-rather-long-subdomain.example.com`);
      const ips = Array.from({ length: 20 }, (_, i) => `192.168.${i}.${i + 1}`);
      const cert = createCertificate({ commonName: 'x'.repeat(200), altNames: [...names, ...ips], days: 365 * 40 });
      const c = x509(cert);
      assert.equal(c.subject, `CN=${'x'.repeat(200)}`);
      for (const n of names) assert.equal(c.checkHost(n), n);
      for (const ip of ips) assert.ok(c.checkIP(ip) !== undefined, `valid for ${ip}`);
      const { to } = validity(c);
      assert.ok(new Date(to).getUTCFullYear() >= 2050, `valid until ${c.validTo}`);
      assert.ok(to >= Date.now() + 365 * 40 * DAY_MS - 60_000, `forty years (${c.validTo})`);
      assert.ok(c.verify(c.publicKey));
    });

    it('an IPv6 address written with an IPv4 tail (::ffff:192.0.2.1) is encoded as those 16 bytes', function () {
      const cert = createCertificate({ commonName: 'mapped', altNames: ['::ffff:192.0.2.1', '64:ff9b::10.0.0.7'] });
      const c = x509(cert);
      assert.ok(c.checkIP('::ffff:192.0.2.1') !== undefined, `valid for ::ffff:192.0.2.1 (SAN: ${c.subjectAltName})`);
      assert.ok(c.checkIP('::ffff:c000:201') !== undefined, `the same address in hex groups (SAN: ${c.subjectAltName})`);
      assert.ok(c.checkIP('64:ff9b::a00:7') !== undefined, `valid for 64:ff9b::10.0.0.7 (SAN: ${c.subjectAltName})`);
    });

    it('a CA certificate, and a leaf it issues that verifies against it and not against another CA', function () {
      const ca = createCertificate({ commonName: 'Example Corp Root CA', isCa: true, days: 3650 });
      const leaf = createCertificate({ commonName: 'relay.example.com', altNames: ['relay.example.com', '127.0.0.1'], days: 90, issuer: ca });
      const other = createCertificate({ commonName: 'Other CA', isCa: true });
      const caCert = x509(ca);
      const leafCert = x509(leaf);
      const otherCert = x509(other);

      assert.equal(caCert.ca, true, 'basicConstraints cA=true');
      assert.equal(caCert.subject, 'CN=Example Corp Root CA');
      assert.equal(caCert.issuer, 'CN=Example Corp Root CA');
      assert.ok(caCert.verify(caCert.publicKey), 'the CA is self-signed');

      assert.equal(leafCert.ca, false);
      assert.equal(leafCert.subject, 'CN=relay.example.com');
      assert.equal(leafCert.issuer, 'CN=Example Corp Root CA', "the leaf's issuer is the CA's subject");
      assert.ok(leafCert.checkIssued(caCert), 'checkIssued: the CA issued the leaf');
      assert.ok(leafCert.verify(caCert.publicKey), "the leaf's signature verifies with the CA key");
      assert.ok(!leafCert.verify(leafCert.publicKey), 'the leaf is not self-signed');
      assert.ok(!leafCert.checkIssued(otherCert), 'another CA did not issue it');
      assert.ok(!leafCert.verify(otherCert.publicKey), "another CA's key does not verify it");
      assert.ok(leafCert.checkPrivateKey(crypto.createPrivateKey(leaf.keyPem)), "the leaf's own key, not the CA's");
      assert.ok(!leafCert.checkPrivateKey(crypto.createPrivateKey(ca.keyPem)));
      const { from, to } = validity(leafCert);
      assert.ok(to - from >= 90 * DAY_MS && to - from <= 90 * DAY_MS + 62_000, `90 days (${leafCert.validFrom} .. ${leafCert.validTo})`);
    });
  });

  describe('real TLS handshakes', function () {
    it('self-signed: the handshake works without verification, and the peer certificate is the one made', async function () {
      const cert = createCertificate({ commonName: 'relay', altNames: ['127.0.0.1'] });
      const port = await tlsEchoServer(cleanup, cert);
      const result = await handshake(cleanup, port, { rejectUnauthorized: false });
      assert.ok(result.ok, `handshake failed: ${!result.ok && result.error.message}`);
      assert.equal(result.socket.authorized, false, 'not verified: nothing vouches for a self-signed certificate');
      assert.equal(result.socket.getPeerCertificate().fingerprint256, cert.fingerprint256);
      assert.match(result.echoed, /^ping /, 'data flows both ways');

      const verified = await handshake(cleanup, port, { rejectUnauthorized: true });
      assert.ok(!verified.ok, 'a verifying client refuses a self-signed certificate');
      assert.equal(verified.error.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    });

    it('CA-issued: verified with `ca`, hostname 127.0.0.1 checked against the SAN; refused with the wrong CA or the wrong name', async function () {
      const ca = createCertificate({ commonName: 'Test CA', isCa: true });
      const leaf = createCertificate({ commonName: 'relay', altNames: ['localhost', '127.0.0.1'], issuer: ca });
      const port = await tlsEchoServer(cleanup, leaf);

      const good = await handshake(cleanup, port, { ca: ca.certPem, rejectUnauthorized: true });
      assert.ok(good.ok, `handshake failed: ${!good.ok && `${good.error.code} ${good.error.message}`}`);
      assert.equal(good.socket.authorized, true, `authorized (${good.socket.authorizationError})`);
      assert.equal(good.socket.getPeerCertificate().fingerprint256, leaf.fingerprint256);
      assert.match(good.echoed, /^ping /);

      const byName = await handshake(cleanup, port, { host: 'localhost', servername: 'localhost', ca: ca.certPem, rejectUnauthorized: true });
      assert.ok(byName.ok, `by name: ${!byName.ok && byName.error.message}`);

      const wrongCa = createCertificate({ commonName: 'Test CA', isCa: true }); // same name, other key
      const refused = await handshake(cleanup, port, { ca: wrongCa.certPem, rejectUnauthorized: true });
      assert.ok(!refused.ok, 'a CA with the same name but another key does not vouch for the leaf');
      assert.match(String(refused.error.code), /UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_SIGNATURE_FAILURE/);

      const elsewhere = createCertificate({ commonName: 'relay', altNames: ['relay.example.com'], issuer: ca });
      const otherPort = await tlsEchoServer(cleanup, elsewhere);
      const wrongName = await handshake(cleanup, otherPort, { ca: ca.certPem, rejectUnauthorized: true });
      assert.ok(!wrongName.ok, 'a certificate for another name is refused for 127.0.0.1');
      assert.equal(wrongName.error.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    });

    it('a CA certificate only signs certificates (keyUsage): a verifying client refuses it as a server certificate', async function () {
      const ca = createCertificate({ commonName: 'Lonely CA', isCa: true, altNames: ['127.0.0.1'] });
      const port = await tlsEchoServer(cleanup, ca);
      const result = await handshake(cleanup, port, { ca: ca.certPem, rejectUnauthorized: true });
      assert.ok(!result.ok, 'refused');
      assert.equal(result.error.code, 'INVALID_PURPOSE');
    });
  });
});
