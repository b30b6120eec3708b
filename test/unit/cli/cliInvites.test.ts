import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliFixture, runCli } from '../helpers/cliProcess';

/** Invites on the command line: a member prints one, a newcomer joins with it and keeps the secret. */
describe('CLI: invites', function () {
  this.timeout(30_000);
  const fx = new CliFixture();
  afterEach(() => fx.cleanup());

  it('invite → join → send without a secret; invites lists and revokes; a used or damaged invite is refused (exit 4)', async () => {
    const lead = fx.env({ TEAM_MESSENGER_SECRET: 'lead knows the secret' });
    const relay = await fx.relay(['--port', '0', '--secret', 'lead knows the secret'], lead);
    const server = `127.0.0.1:${relay.port}`;
    const made = await runCli(['invite', '--server', server, '--name', 'lead', '--json'], lead);
    assert.equal(made.code, 0, made.stderr);
    const invite = JSON.parse(made.stdout) as { id: string; invite: string; link: string; uses: number };
    assert.match(invite.link, /^vscode:\/\/team-messenger\.team-messenger\/join\?invite=tm1\./);
    assert.equal(invite.uses, 1);

    // The newcomer has nothing but the link: no secret, no fingerprint, no "trust on first use".
    const newcomer = fx.env();
    const joined = await runCli(['join', invite.link, '--name', 'newbie'], newcomer);
    assert.equal(joined.code, 0, joined.stderr);
    assert.match(joined.stdout, new RegExp(`joined the team at ${server.replace(/\./g, '\\.')} as newbie, invited by lead`));
    assert.doesNotMatch(joined.stderr, /first use/, 'the fingerprint came with the invite');
    const saved = fs.readFileSync(path.join(newcomer.TEAM_MESSENGER_HOME!, 'relays.json'), 'utf8');
    assert.equal((fs.statSync(path.join(newcomer.TEAM_MESSENGER_HOME!, 'relays.json')).mode & 0o777).toString(8), '600');
    assert.match(saved, /lead knows the secret/);
    const sent = await runCli(['send', '--server', server, '--name', 'newbie', '--all', 'hello team'], newcomer);
    assert.equal(sent.code, 0, `later commands log in with the kept secret: ${sent.stderr}`);

    const someoneElse = await runCli(['join', invite.invite, '--name', 'other'], fx.env());
    assert.equal(someoneElse.code, 4);
    assert.match(someoneElse.stderr, /this invite was already used; ask for a new one \[INVITE_INVALID\]/);
    const damaged = await runCli(['join', invite.invite.slice(0, -2), '--name', 'other'], fx.env());
    assert.equal(damaged.code, 4);
    assert.match(damaged.stderr, /damaged or incomplete/);

    const listed = await runCli(['invites', '--server', server, '--name', 'lead'], lead);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${invite.id}\\s+used\\s+used 1/1`));
    const second = JSON.parse((await runCli(['invite', '--server', server, '--name', 'lead', '--json', '--uses', '3', '--expires', '2h'], lead)).stdout) as {
      id: string;
      invite: string;
    };
    const notHers = await runCli(['invites', '--server', server, '--name', 'newbie', 'revoke', second.id], newcomer);
    assert.notEqual(notHers.code, 0);
    assert.match(notHers.stderr, /only lead, who created invite/);
    const revoked = await runCli(['invites', '--server', server, '--name', 'lead', 'revoke', second.id], lead);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, new RegExp(`revoked invite ${second.id}[\\s\\S]*${second.id}\\s+revoked`));
    const late = await runCli(['send', '--invite', second.invite, '--name', 'late', '--all', 'hi'], fx.env());
    assert.equal(late.code, 4);
    assert.match(late.stderr, /this invite was revoked by lead/);
    const badExpiry = await runCli(['invite', '--server', server, '--name', 'lead', '--expires', 'forever'], lead);
    assert.equal(badExpiry.code, 2);
  });
});
