// Newcomers joining a relay cluster with an invite, through real relays and a real nats-server:
// an invite made through one relay lets a newcomer in through the other, and the last use of an
// invite goes to exactly one of two newcomers trying it at once through different relays (the
// use is counted in the engine before the welcome).
import { strict as assert } from 'node:assert';
import { generateIdentity } from '../../src/net/identity';
import { ErrorCode } from '../../src/net/protocol/errors';
import { createCertificate } from '../../src/server/certificate';
import { connectClient, createClient, SECRET, sendAndAck, useCleanup } from '../unit/helpers/loopback';
import { startNats } from './natsServers';
import { eventually, startClusterRelay } from './relayClusterFixture';

const CERT = createCertificate({ commonName: 'relay', altNames: ['127.0.0.1'] });
const RELAY_TLS = { certPem: CERT.certPem, keyPem: CERT.keyPem };
const PIN = { fingerprint: CERT.fingerprint256 };

describe('invite joins across relays (real nats-server)', function () {
  this.timeout(60_000);
  const cleanup = useCleanup();

  it('gives a one-time invite to one of two newcomers arriving at once through different relays', async () => {
    const nats = await startNats({ nodes: 1 });
    cleanup.add('nats', () => nats.stop());
    const a = await startClusterRelay(cleanup, nats, { tls: RELAY_TLS });
    const b = await startClusterRelay(cleanup, nats, { tls: RELAY_TLS });
    const identity = generateIdentity();
    const aliceOnA = await connectClient(cleanup, a.address().port, { name: 'alice', tls: PIN, identity });
    const aliceOnB = await connectClient(cleanup, b.address().port, { name: 'alice', tls: PIN, identity });

    for (let round = 0; round < 5; round++) {
      const { invite, token } = await aliceOnA.invites.create({ uses: 1 });
      let known = false;
      const poll = setInterval(() => void aliceOnB.invites.list().then((all) => (known = all.some((i) => i.id === invite.id))), 50);
      await eventually(() => known, 'relay B to know the invite').finally(() => clearInterval(poll));

      const newcomers = [a, b].map((relay, i) =>
        createClient(cleanup, relay.address().port, { name: `newcomer-${round}-${i}`, tls: PIN, secret: undefined, invite: token }),
      );
      const secrets = newcomers.map((c) => new Promise<string>((resolve) => c.once('secret', resolve)));
      const results = await Promise.allSettled(newcomers.map((c) => c.connect()));
      const welcomed = newcomers.filter((_, i) => results[i]!.status === 'fulfilled');
      assert.equal(welcomed.length, 1, `round ${round}: ${results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'welcomed')).join('; ')}`);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.equal((refused.reason as { code?: string }).code, ErrorCode.InviteInvalid);
      assert.equal((refused.reason as Error).message, 'this invite was already used; ask for a new one');
      // The one let in got the team secret and talks to alice, wherever she is.
      assert.equal(await secrets[newcomers.indexOf(welcomed[0]!)], SECRET);
      await sendAndAck(welcomed[0]!, [aliceOnA.clientId], `hello from round ${round}`);
      await aliceOnA.waitForText(`hello from round ${round}`);
      const listed = (await aliceOnB.invites.list()).find((i) => i.id === invite.id);
      assert.equal(listed?.used, 1);
      for (const c of newcomers) await c.close();
    }
  });
});
