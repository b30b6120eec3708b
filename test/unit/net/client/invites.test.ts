import { strict as assert } from 'node:assert';
import { ErrorCode, TeamMessengerError } from '../../../../src/net/protocol/errors';
import { createCertificate } from '../../../../src/server/certificate';
import { SECRET, TcpProxy, connectClient, createClient, rejectsWithCode, sendAndAck, startRelay, useCleanup, withTimeout } from '../../helpers/loopback';

const CERT = createCertificate({ commonName: 'relay', altNames: ['127.0.0.1'] });
const RELAY_TLS = { certPem: CERT.certPem, keyPem: CERT.keyPem };
/** What an invite brings: the relay's fingerprint, pinned. */
const PIN = { fingerprint: CERT.fingerprint256 };

describe('invites end to end: a newcomer joins with a token instead of the team secret', function () {
  const cleanup = useCleanup();

  it('a relay without TLS refuses invites: the secret would cross the network in clear', async function () {
    const relay = await startRelay(cleanup, { auth: { secret: SECRET } });
    const port = relay.address().port;
    const alice = await connectClient(cleanup, port, { name: 'alice' });
    const { token } = await alice.invites.create();
    const bob = createClient(cleanup, port, { name: 'bob', secret: undefined, invite: token });
    const error = await rejectsWithCode(bob.connect(), ErrorCode.InviteInvalid, 'an invite on a plain relay');
    assert.match(error.message, /without TLS: an invite would hand the team secret over in clear/);
    assert.deepEqual(
      (await alice.invites.list()).map((i) => i.used),
      [0],
      'and nothing was used',
    );
  });

  it('a member makes an invite; a newcomer comes in with it, is given the secret, chats, and reconnects with the secret', async function () {
    const relay = await startRelay(cleanup, { auth: { secret: SECRET }, tls: RELAY_TLS });
    const port = relay.address().port;
    const alice = await connectClient(cleanup, port, { name: 'alice', tls: PIN });
    const { invite, token } = await alice.invites.create({ uses: 1 });
    assert.equal(invite.createdByName, 'alice');
    assert.equal(invite.used, 0);

    const proxy = await TcpProxy.start(cleanup, port);
    const bob = createClient(cleanup, proxy.port, { name: 'bob', tls: PIN, secret: undefined, invite: token });
    const secret = new Promise<string>((resolve) => bob.once('secret', resolve));
    await withTimeout(bob.connect(), 'bob to join with the invite');
    assert.equal(await secret, SECRET, 'bob was given the team secret');
    await sendAndAck(bob, [alice.clientId], 'hi, I am new');
    await alice.waitForText('hi, I am new');

    // A lost connection: bob logs in with the secret now (the invite, revoked, would not do).
    await alice.invites.revoke(invite.id);
    proxy.cutAll();
    await bob.waitFor('welcome', () => bob.events.welcome.length >= 2, 'bob to reconnect');
    await sendAndAck(bob, [alice.clientId], 'back again');
    const [listed] = await alice.invites.list();
    assert.deepEqual([listed.id, listed.used, listed.revoked], [invite.id, 1, true]);

    // Anyone else with the same link is told, and does not retry; a one-time invite serves one person.
    const carol = createClient(cleanup, port, { name: 'carol', tls: PIN, secret: undefined, invite: token });
    const error = await rejectsWithCode(carol.connect(), ErrorCode.InviteInvalid, 'carol with a used invite');
    assert.equal(error.message, 'this invite was revoked by alice; ask for a new one');
    assert.equal(carol.state, 'closed');
    const { token: second } = await alice.invites.create({ uses: 1 });
    const dan = await connectClient(cleanup, port, { name: 'dan', tls: PIN, secret: undefined, invite: second });
    const erin = createClient(cleanup, port, { name: 'erin', tls: PIN, secret: undefined, invite: second });
    assert.equal(
      (await rejectsWithCode(erin.connect(), ErrorCode.InviteInvalid, 'erin with a used invite')).message,
      'this invite was already used; ask for a new one',
    );
    await dan.close();
  });

  it('only the creator revokes; a revoked invite is refused with that reason', async function () {
    const relay = await startRelay(cleanup, { auth: { secret: SECRET }, tls: RELAY_TLS });
    const port = relay.address().port;
    const alice = await connectClient(cleanup, port, { name: 'alice', tls: PIN });
    const bob = await connectClient(cleanup, port, { name: 'bob', tls: PIN });
    const { invite, token } = await alice.invites.create({ uses: 5, ttlMs: 3600_000 });
    const forbidden = await bob.invites.revoke(invite.id).then(
      () => undefined,
      (err: TeamMessengerError) => err,
    );
    assert.equal(forbidden?.code, ErrorCode.Forbidden);
    assert.equal(forbidden?.message, `only alice, who created invite ${invite.id}, may revoke it`);
    const left = await alice.invites.revoke(invite.id);
    assert.equal(left.find((i) => i.id === invite.id)?.revoked, true);

    const dave = createClient(cleanup, port, { name: 'dave', tls: PIN, secret: undefined, invite: token });
    const error = await rejectsWithCode(dave.connect(), ErrorCode.InviteInvalid, 'dave with a revoked invite');
    assert.equal(error.message, 'this invite was revoked by alice; ask for a new one');
    assert.equal(relay.clientCount, 2);
  });

  it('a tampered token is refused as unknown, and counts as a failed login', async function () {
    const relay = await startRelay(cleanup, { auth: { secret: SECRET }, admission: { maxAuthFailures: 2 }, tls: RELAY_TLS });
    const port = relay.address().port;
    const alice = await connectClient(cleanup, port, { name: 'alice', tls: PIN });
    const { token } = await alice.invites.create();
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    const eve = createClient(cleanup, port, { name: 'eve', tls: PIN, secret: undefined, invite: tampered });
    const error = await rejectsWithCode(eve.connect(), ErrorCode.InviteInvalid, 'a tampered invite');
    assert.match(error.message, /not known to this relay/);
  });
});
