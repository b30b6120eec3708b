import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { silentLogger } from '../../../src/net/logger';
import { Invites, MAX_OPEN_PER_MEMBER, type Redeemed } from '../../../src/server/invites';
import { tempDir, useCleanup } from '../helpers/loopback';
import { LogCapture } from '../helpers/security';

const ALICE = { clientId: 'A'.repeat(22), name: 'alice' };
const BOB = { clientId: 'B'.repeat(22), name: 'bob' };
const NEWCOMER = 'N'.repeat(22);
const OTHER = 'O'.repeat(22);
const T0 = 1_800_000_000_000;
const HOUR = 3600 * 1000;

/** Without a cluster an invite is answered at once, never later. */
function redeemNow(invites: Invites, token: string, clientId: string, at: number): Redeemed {
  const answer = invites.redeem(token, clientId, at);
  assert.ok(!(answer instanceof Promise), 'answered at once');
  return answer;
}

function made(result: ReturnType<Invites['create']>): { token: string; id: string } {
  assert.ok(typeof result !== 'string', `created: ${String(result)}`);
  return { token: result.token, id: result.invite.id };
}

describe('Invites (relay side)', function () {
  const cleanup = useCleanup();

  it('lets a newcomer in once; a second newcomer is told it was already used; the same identity again is let in', function () {
    const invites = new Invites(undefined, silentLogger);
    const { token } = made(invites.create(ALICE, {}, T0));
    assert.deepEqual(redeemNow(invites, token, NEWCOMER, T0 + 1).ok, true);
    const again = redeemNow(invites, token, OTHER, T0 + 2);
    assert.deepEqual(again, { ok: false, reason: 'this invite was already used; ask for a new one' });
    assert.equal(redeemNow(invites, token, NEWCOMER, T0 + 3).ok, true, 'its first welcome was lost: the same identity comes back');
    assert.equal(invites.list(T0 + 4)[0].used, 1);
  });

  it('counts uses up to `uses`, and says how often it was used', function () {
    const invites = new Invites(undefined, silentLogger);
    const { token } = made(invites.create(ALICE, { uses: 3 }, T0));
    for (const who of ['1', '2', '3']) assert.equal(redeemNow(invites, token, who.repeat(22), T0).ok, true);
    assert.deepEqual(redeemNow(invites, token, OTHER, T0), { ok: false, reason: 'this invite was already used 3 times; ask for a new one' });
  });

  it('expires at its time, saying when', function () {
    const invites = new Invites(undefined, silentLogger);
    const { token } = made(invites.create(ALICE, { ttlMs: HOUR }, T0));
    assert.equal(redeemNow(invites, token, NEWCOMER, T0 + HOUR - 1).ok, true);
    const late = redeemNow(invites, token, OTHER, T0 + HOUR);
    assert.deepEqual(late, { ok: false, reason: `this invite expired on ${new Date(T0 + HOUR).toISOString()}; ask for a new one` });
    assert.equal(redeemNow(invites, token, NEWCOMER, T0 + HOUR).ok, false, 'not even for the identity that used it');
  });

  it('refuses tampered and foreign tokens without telling which part was wrong', function () {
    const invites = new Invites(undefined, silentLogger);
    const { token, id } = made(invites.create(ALICE, {}, T0));
    const secret = token.split('.')[1];
    const flipped = `${id}.${secret[0] === 'A' ? 'B' : 'A'}${secret.slice(1)}`;
    const unknown = 'this invite is not known to this relay (changed in transit, or made by another relay)';
    assert.deepEqual(redeemNow(invites, flipped, NEWCOMER, T0), { ok: false, reason: unknown });
    assert.deepEqual(redeemNow(invites, `${'x'.repeat(12)}.${secret}`, NEWCOMER, T0), { ok: false, reason: unknown });
    for (const junk of ['', 'tm1.abc', token + 'x', token.toUpperCase().replace('.', '-'), `${id}.${secret}\n`]) {
      assert.equal(redeemNow(invites, junk, NEWCOMER, T0).ok, false, JSON.stringify(junk));
    }
    assert.equal(redeemNow(invites, token, NEWCOMER, T0).ok, true, 'the failed tries used nothing');
  });

  it('only its creator may revoke an invite; a revoked invite says so', function () {
    const invites = new Invites(undefined, silentLogger);
    const { token, id } = made(invites.create(ALICE, {}, T0));
    assert.equal(invites.revoke(id, BOB.clientId), `only alice, who created invite ${id}, may revoke it`);
    assert.equal(invites.revoke('n'.repeat(12), ALICE.clientId), `there is no invite ${'n'.repeat(12)}`);
    assert.equal(invites.revoke(id, ALICE.clientId), undefined);
    assert.deepEqual(redeemNow(invites, token, NEWCOMER, T0), { ok: false, reason: 'this invite was revoked by alice; ask for a new one' });
    assert.equal(invites.list(T0)[0].revoked, true);
  });

  it(`bounds each member to ${MAX_OPEN_PER_MEMBER} open invites, and forgets long-expired ones`, function () {
    const invites = new Invites(undefined, silentLogger);
    for (let i = 0; i < MAX_OPEN_PER_MEMBER; i++) made(invites.create(BOB, { ttlMs: HOUR }, T0));
    assert.match(String(invites.create(BOB, {}, T0)), /you have 50 invites still open; revoke some first/);
    made(invites.create(ALICE, {}, T0));
    made(invites.create(BOB, {}, T0 + HOUR)); // bob's have expired: room again
    assert.equal(invites.list(T0 + HOUR + 8 * 24 * HOUR).length, 2, 'a week after expiry they are gone');
  });

  it('keeps invites across a restart with a history folder (only hashes on disk); a damaged file starts empty and says so', function () {
    const dir = tempDir(cleanup);
    const first = new Invites(dir, silentLogger);
    const { token } = made(first.create(ALICE, { uses: 2 }, T0));
    assert.equal(redeemNow(first, token, NEWCOMER, T0).ok, true);
    const file = fs.readFileSync(path.join(dir, 'invites.json'), 'utf8');
    assert.equal(file.includes(token.split('.')[1]), false, 'the token secret is not on disk');
    const second = new Invites(dir, silentLogger);
    assert.equal(redeemNow(second, token, OTHER, T0).ok, true, 'the second use, after the restart');
    assert.equal(redeemNow(second, token, 'Z'.repeat(22), T0).ok, false);

    fs.writeFileSync(path.join(dir, 'invites.json'), '{"invites": [');
    const log = new LogCapture();
    const third = new Invites(dir, log);
    assert.deepEqual(third.list(T0), []);
    assert.equal(log.find('cannot read the invites; starting with none').length, 1);
  });
});
