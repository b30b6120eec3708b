import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createCertificate } from '../../../src/server/certificate';
import { CliFixture, runCli } from '../helpers/cliProcess';

/** TLS as the command line uses it: on by default, pinned on first use, plain only on request. */
describe('CLI: TLS', function () {
  this.timeout(30_000);
  const fx = new CliFixture();
  afterEach(() => fx.cleanup());

  function fingerprintIn(stderr: string): string {
    const m = /fingerprint=((?:[0-9A-F]{2}:){31}[0-9A-F]{2})/.exec(stderr);
    assert.ok(m, `the relay prints its fingerprint:\n${stderr}`);
    return m[1];
  }

  it('starts with a generated certificate, prints its fingerprint, and clients pin it on first use', async () => {
    const env = fx.env();
    const relay = await fx.relay(['--port', '0', '--no-auth'], env);
    const fingerprint = await relay.process.waitFor('the fingerprint', () => /fingerprint=/.test(relay.process.stderr) && fingerprintIn(relay.process.stderr));
    const home = env.TEAM_MESSENGER_HOME!;
    assert.equal((fs.statSync(path.join(home, 'relay-tls', 'key.pem')).mode & 0o777).toString(8), '600');
    const server = `127.0.0.1:${relay.port}`;
    const first = await runCli(['send', '--server', server, '--name', 'ci', '--all', 'over TLS'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, new RegExp(`trusting ${server.replace(/\./g, '\\.')} on first use; its certificate fingerprint is ${fingerprint}`));
    const known = JSON.parse(fs.readFileSync(path.join(home, 'known-relays.json'), 'utf8'));
    assert.equal(known[server], fingerprint);
    const second = await runCli(['send', '--server', server, '--name', 'ci', '--all', 'again'], env);
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stderr, /first use/, 'a pinned relay is not announced again');
  });

  it('refuses a relay whose certificate changed, naming both fingerprints (exit 4)', async () => {
    const env = fx.env();
    const relay = await fx.relay(['--port', '0', '--no-auth'], env);
    const before = await relay.process.waitFor('the fingerprint', () => /fingerprint=/.test(relay.process.stderr) && fingerprintIn(relay.process.stderr));
    const server = `127.0.0.1:${relay.port}`;
    assert.equal((await runCli(['send', '--server', server, '--name', 'ci', '--all', 'pin it'], env)).code, 0);
    await relay.process.stop();
    // The relay loses its key and makes a new one: to a client this looks like an impostor.
    fs.rmSync(path.join(env.TEAM_MESSENGER_HOME!, 'relay-tls'), { recursive: true });
    const again = await fx.relay(['--port', String(relay.port), '--no-auth'], env);
    const after = await again.process.waitFor('the new fingerprint', () => /fingerprint=/.test(again.process.stderr) && fingerprintIn(again.process.stderr));
    assert.notEqual(after, before);
    const refused = await runCli(['send', '--server', server, '--name', 'ci', '--all', 'should not go'], env);
    assert.equal(refused.code, 4);
    assert.match(refused.stderr, /certificate changed/);
    assert.ok(refused.stderr.includes(before) && refused.stderr.includes(after), refused.stderr);
  });

  it('checks --fingerprint and accepts a CA-issued certificate with --ca', async () => {
    const env = fx.env();
    const dir = fx.tempDir();
    const ca = createCertificate({ commonName: 'Example Corp CA', isCa: true });
    const leaf = createCertificate({ commonName: 'relay', altNames: ['127.0.0.1'], issuer: { certPem: ca.certPem, keyPem: ca.keyPem } });
    fs.writeFileSync(path.join(dir, 'ca.pem'), ca.certPem);
    fs.writeFileSync(path.join(dir, 'relay.pem'), leaf.certPem);
    fs.writeFileSync(path.join(dir, 'relay.key'), leaf.keyPem);
    const relay = await fx.relay(['--port', '0', '--no-auth', '--cert', path.join(dir, 'relay.pem'), '--key', path.join(dir, 'relay.key')], env);
    const server = `127.0.0.1:${relay.port}`;
    const withCa = await runCli(['send', '--server', server, '--name', 'ci', '--all', '--ca', path.join(dir, 'ca.pem'), 'via CA'], env);
    assert.equal(withCa.code, 0, withCa.stderr);
    assert.doesNotMatch(withCa.stderr, /first use/);
    const right = await runCli(['send', '--server', server, '--name', 'ci', '--all', '--fingerprint', leaf.fingerprint256, 'pinned'], env);
    assert.equal(right.code, 0, right.stderr);
    const other = createCertificate({ commonName: 'other' });
    const wrong = await runCli(['send', '--server', server, '--name', 'ci', '--all', '--fingerprint', other.fingerprint256, 'no'], env);
    assert.equal(wrong.code, 4);
    assert.ok(wrong.stderr.includes(other.fingerprint256) && wrong.stderr.includes(leaf.fingerprint256), wrong.stderr);
    // A CA that did not issue the relay's certificate is refused.
    fs.writeFileSync(path.join(dir, 'other-ca.pem'), createCertificate({ commonName: 'Other CA', isCa: true }).certPem);
    const wrongCa = await runCli(['send', '--server', server, '--name', 'ci', '--all', '--ca', path.join(dir, 'other-ca.pem'), 'no'], env);
    assert.equal(wrongCa.code, 4, wrongCa.stderr);
    assert.match(wrongCa.stderr, /not trusted/);
  });

  it('speaks plain TCP only when both sides say --plain, and explains a mismatch', async () => {
    const env = fx.env();
    const tlsRelay = await fx.relay(['--port', '0', '--no-auth'], env);
    const plainAgainstTls = await runCli(['send', '--server', `127.0.0.1:${tlsRelay.port}`, '--name', 'ci', '--all', '--plain', '--timeout', '5000', 'x'], env);
    assert.equal(plainAgainstTls.code, 3);
    assert.match(plainAgainstTls.stderr, /connect with TLS/);
    const plainRelay = await fx.relay(['--port', '0', '--no-auth', '--plain'], env);
    assert.match(plainRelay.process.stderr, /TLS is OFF/);
    const tlsAgainstPlain = await runCli(['send', '--server', `127.0.0.1:${plainRelay.port}`, '--name', 'ci', '--all', 'x'], env);
    assert.equal(tlsAgainstPlain.code, 3);
    assert.match(tlsAgainstPlain.stderr, /does not speak TLS/);
    const plain = await runCli(['send', '--server', `127.0.0.1:${plainRelay.port}`, '--name', 'ci', '--all', '--plain', 'plain on purpose'], env);
    assert.equal(plain.code, 0, plain.stderr);
  });
});
