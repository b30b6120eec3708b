// Invites of a relay cluster (src/server/cluster/kvInvites.ts) against a real nats-server: made
// on one relay, usable on another, used up and revoked everywhere, loaded by a relay started later,
// and kept while the engine is down.
import { strict as assert } from 'node:assert';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { silentLogger } from '../../src/net/logger';
import { KvInvites } from '../../src/server/cluster/kvInvites';
import { Invites } from '../../src/server/invites';
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
    assert.equal(b.invites.redeem(made.token, NEWCOMER).ok, true);
    await eventually(() => a.invites.get(made.invite.id)?.used === 1, 'a to see it used');
    const again = a.invites.redeem(made.token, SECOND);
    assert.equal(again.ok, false);
    assert.match(!again.ok ? again.reason : '', /already used/);
    assert.equal(a.invites.redeem(made.token, NEWCOMER).ok, true, 'the same newcomer again (its welcome was lost)');

    const open = a.invites.create(ALICE, { uses: 5 });
    assert.ok(typeof open !== 'string');
    await eventually(() => b.invites.get(open.invite.id) !== undefined, 'b to know the second invite');
    assert.equal(b.invites.revoke(open.invite.id, ALICE.clientId), undefined);
    await eventually(() => a.invites.get(open.invite.id)?.revoked === true, 'a to see the revocation');
    assert.match((a.invites.redeem(open.token, SECOND) as { reason: string }).reason, /revoked/);

    const late = await relayInvites();
    assert.equal(late.invites.list().length, 2);
    assert.equal(late.invites.redeem(made.token, SECOND).ok, false);
  });

  it('keeps invite changes made while the engine is down and writes them once it is back', async () => {
    const a = await relayInvites();
    await engine.nats.kill9(0);
    const made = a.invites.create(ALICE, { uses: 2 });
    assert.ok(typeof made !== 'string');
    assert.equal(a.invites.redeem(made.token, NEWCOMER).ok, true, 'the relay answers from its copy meanwhile');
    await engine.nats.restart(0);
    assert.equal(await a.mirror.drain(15_000), true);
    const late = await relayInvites();
    assert.equal(late.invites.get(made.invite.id)?.used, 1);
    assert.equal(late.invites.redeem(made.token, SECOND).ok, true);
    assert.equal(late.invites.redeem(made.token, 'third-0123456789abcdef').ok, false, 'two uses, both taken');
  });
});
