// Invites of a relay cluster (src/server/cluster/kvInvites.ts) against a real nats-server: made
// on one relay, usable on another, used up and revoked everywhere (a last use taken by one relay
// only, however close the two tries), loaded by a relay started later, and kept while the engine
// is down (when a use cannot be counted: a retryable refusal).
import { strict as assert } from 'node:assert';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { silentLogger } from '../../src/net/logger';
import { KvInvites } from '../../src/server/cluster/kvInvites';
import { Invites, type Redeemed } from '../../src/server/invites';
import { useCleanup } from '../unit/helpers/loopback';
import { eventually, useOneNodeNats } from './teamStateFixture';

const ALICE = { clientId: 'alice-0123456789abcdef', name: 'alice' };
const NEWCOMER = 'newcomer-0123456789abcdef';
const SECOND = 'second-0123456789abcdef';

describe('cluster invites (real nats-server)', function () {
  this.timeout(60_000);
  const cleanup = useCleanup();
  const engine = useOneNodeNats(cleanup);

  /** A relay's invites as the relay keeps them in a cluster. */
  async function relayInvites(): Promise<{ invites: Invites; mirror: KvInvites }> {
    // Typed by hand: transport-node re-exports its types from a subpath "node" resolution cannot see.
    const nc: NatsConnection = await connect({ servers: engine.nats.urls, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    const mirror = new KvInvites(silentLogger);
    const invites = new Invites(undefined, silentLogger, mirror);
    mirror.bind(invites);
    cleanup.add('relay invites', async () => {
      mirror.close();
      await nc.close();
    });
    await mirror.open(new Kvm(nc));
    return { invites, mirror };
  }

  it('lets an invite made on one relay in on another, once, and revokes it everywhere', async () => {
    const a = await relayInvites();
    const b = await relayInvites();
    const made = a.invites.create(ALICE, { uses: 1 });
    assert.ok(typeof made !== 'string');
    await eventually(() => b.invites.get(made.invite.id) !== undefined, 'b to know the invite');
    assert.equal((await b.invites.redeem(made.token, NEWCOMER)).ok, true);
    await eventually(() => a.invites.get(made.invite.id)?.used === 1, 'a to see it used');
    const again = await a.invites.redeem(made.token, SECOND);
    assert.equal(again.ok, false);
    assert.match(!again.ok ? again.reason : '', /already used/);
    assert.equal((await a.invites.redeem(made.token, NEWCOMER)).ok, true, 'the same newcomer again (its welcome was lost)');

    const open = a.invites.create(ALICE, { uses: 5 });
    assert.ok(typeof open !== 'string');
    await eventually(() => b.invites.get(open.invite.id) !== undefined, 'b to know the second invite');
    assert.equal(b.invites.revoke(open.invite.id, ALICE.clientId), undefined);
    await eventually(() => a.invites.get(open.invite.id)?.revoked === true, 'a to see the revocation');
    assert.match(reasonOf(await a.invites.redeem(open.token, SECOND)), /revoked/);
    const secret = made.token.split('.')[1]!;
    const flipped = `${made.invite.id}.${secret[0] === 'A' ? 'B' : 'A'}${secret.slice(1)}`;
    assert.match(reasonOf(await b.invites.redeem(flipped, NEWCOMER)), /not known/, 'a wrong secret part, even for who came in with it');

    const late = await relayInvites();
    assert.equal(late.invites.list().length, 2);
    assert.equal((await late.invites.redeem(made.token, SECOND)).ok, false);
  });

  it('gives the last use of an invite to one of two relays trying at the same instant, every time', async () => {
    const a = await relayInvites();
    const b = await relayInvites();
    for (let round = 0; round < 10; round++) {
      const made = a.invites.create(ALICE, { uses: 1 });
      assert.ok(typeof made !== 'string');
      await eventually(() => b.invites.get(made.invite.id) !== undefined, 'b to know the invite');
      const answers = await Promise.all([a.invites.redeem(made.token, NEWCOMER), b.invites.redeem(made.token, SECOND)]);
      assert.equal(answers.filter((r) => r.ok).length, 1, `round ${round}: ${JSON.stringify(answers)}`);
      assert.match(reasonOf(answers.find((r) => !r.ok)!), /already used/);
      await eventually(() => a.invites.get(made.invite.id)?.redeemedBy.length === 1 && b.invites.get(made.invite.id)?.used === 1, 'both relays to agree');
    }
  });

  it('keeps invites made while the engine is down; a use meanwhile is refused as retryable, and counted once it is back', async () => {
    const a = await relayInvites();
    await engine.nats.kill9(0);
    const made = a.invites.create(ALICE, { uses: 2 });
    assert.ok(typeof made !== 'string');
    const meanwhile = await a.invites.redeem(made.token, NEWCOMER);
    assert.deepEqual(meanwhile, { ok: false, reason: 'the relay cannot reach its cluster engine to check the invite; try again in a moment', retry: true });
    await engine.nats.restart(0);
    await eventually(async () => (await a.invites.redeem(made.token, NEWCOMER)).ok, 'the use counted once the engine is back', 20_000);
    assert.equal(await a.mirror.drain(15_000), true);
    const late = await relayInvites();
    assert.equal(late.invites.get(made.invite.id)?.used, 1);
    assert.equal((await late.invites.redeem(made.token, SECOND)).ok, true);
    assert.equal((await late.invites.redeem(made.token, 'third-0123456789abcdef')).ok, false, 'two uses, both taken');
  });
});

function reasonOf(redeemed: Redeemed): string {
  return redeemed.ok ? '' : redeemed.reason;
}
