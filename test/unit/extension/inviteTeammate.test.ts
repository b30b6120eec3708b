import { strict as assert } from 'node:assert';
import { registerCommands } from '../../../src/extension/commands';
import { inviteAddresses, inviteFingerprint, parseTtl, parseUses } from '../../../src/extension/inviteText';
import { EXTENSION_ID, parseJoinText } from '../../../src/net/invite';
import { ErrorCode, TeamMessengerError } from '../../../src/net/protocol/errors';
import { context, Fakes, fakeClient, FINGERPRINT, TOKEN } from './commandFakes';

const DAY_MS = 24 * 3600 * 1000;

/** Lets the notifications' `.then` (Copy Again) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Invite Teammate… (through fake ports)', () => {
  it('without a connection says so, offers Connect and Start Local Relay, and asks the relay nothing', async () => {
    const fakes = new Fakes();
    const client = fakeClient();
    registerCommands(context({ client, state: 'reconnecting', server: 'relay.example:9999' }).c, fakes.ports());
    fakes.answers.push('Connect to Relay…');
    await fakes.run('teamMessenger.inviteTeammate');
    assert.equal(fakes.shown.length, 1);
    assert.match(fakes.shown[0].message, /connect to your team's relay first/);
    assert.deepEqual(fakes.shown[0].items, ['Connect to Relay…', 'Start Local Relay']);
    assert.deepEqual(fakes.executed, ['teamMessenger.connect']);
    assert.deepEqual(client.invitesAsked, []);
    assert.deepEqual(fakes.clipboard, []);
  });

  it("while hosting: the link names the relay's LAN addresses and fingerprint; the clipboard holds the link and tm1. text, never the secret", async () => {
    const fakes = new Fakes();
    const client = fakeClient();
    registerCommands(context({ client, state: 'connected', server: '127.0.0.1:4242', hosting: true, secret: 'hosted-secret' }).c, fakes.ports());
    fakes.picks.push('One person');
    await fakes.run('teamMessenger.inviteTeammate');
    assert.deepEqual(fakes.quickPicks, [['$(person) One person, valid 7 days', '$(organization) Up to 10 people, valid 24 hours', '$(settings-gear) Custom…']]);
    assert.deepEqual(client.invitesAsked, [{ uses: 1, ttlMs: 7 * DAY_MS }]);
    assert.equal(fakes.clipboard.length, 1);
    const [link, bare, ...rest] = fakes.clipboard[0].split('\n');
    assert.deepEqual(rest, []);
    assert.ok(link.startsWith(`vscode://${EXTENSION_ID}/join?invite=tm1.`), link);
    assert.ok(link.endsWith(bare), 'the link carries the same invite as the second line');
    assert.ok(bare.startsWith('tm1.'));
    assert.doesNotMatch(fakes.clipboard[0], /hosted-secret|secret/i);
    const parsed = parseJoinText(link);
    assert.equal(parsed.kind, 'invite');
    if (parsed.kind !== 'invite') return;
    assert.deepEqual(parsed.invite.addresses, ['192.0.2.7:4242']);
    assert.equal(parsed.invite.fingerprint, FINGERPRINT);
    assert.equal(parsed.invite.token, TOKEN);
    assert.equal(parsed.invite.from, 'alice');
    assert.deepEqual(parseJoinText(bare), parsed);
    assert.equal(fakes.shown.length, 1);
    assert.match(fakes.shown[0].message, /^Invite link copied: one person, valid until .+ \(7 days\)\./);
    assert.deepEqual(fakes.shown[0].items, ['Copy Again']);
  });

  it('on a team relay: the link names the address this window connected to; Copy Again copies the same text again', async () => {
    const fakes = new Fakes();
    const client = fakeClient({ relayFingerprint: FINGERPRINT.replace(/:/g, '').toLowerCase() });
    registerCommands(context({ client, state: 'connected', server: 'chat.example.com:9999' }).c, fakes.ports());
    fakes.picks.push('Up to 10 people');
    fakes.answers.push('Copy Again');
    await fakes.run('teamMessenger.inviteTeammate');
    await settle();
    assert.deepEqual(client.invitesAsked, [{ uses: 10, ttlMs: DAY_MS }]);
    assert.equal(fakes.clipboard.length, 2);
    assert.equal(fakes.clipboard[1], fakes.clipboard[0]);
    const parsed = parseJoinText(fakes.clipboard[0]);
    assert.ok(parsed.kind === 'invite');
    assert.deepEqual(parsed.invite.addresses, ['chat.example.com:9999']);
    assert.equal(parsed.invite.fingerprint, FINGERPRINT, 'the fingerprint in the form invites carry');
    assert.match(fakes.shown[0].message, /up to 10 people, valid until .+ \(24 hours\)/);
  });

  it('Custom… asks how many people and for how long', async () => {
    const fakes = new Fakes();
    const client = fakeClient();
    registerCommands(context({ client, state: 'connected', server: 'chat.example.com:9999' }).c, fakes.ports());
    fakes.picks.push('Custom');
    fakes.inputs.push('3', '12h');
    await fakes.run('teamMessenger.inviteTeammate');
    assert.deepEqual(client.invitesAsked, [{ uses: 3, ttlMs: 12 * 3600 * 1000 }]);
    const [uses, ttl] = fakes.inputBoxes;
    assert.equal(uses.validateInput?.('0'), 'Enter a number from 1 to 100');
    assert.equal(uses.validateInput?.('3'), undefined);
    assert.match(String(ttl.validateInput?.('31d')), /at most 30 days/);
    assert.equal(ttl.validateInput?.('30m'), undefined);
  });

  it('cancelled at the quick pick, it makes no invite', async () => {
    const fakes = new Fakes();
    const client = fakeClient();
    registerCommands(context({ client, state: 'connected', server: 'chat.example.com:9999' }).c, fakes.ports());
    await fakes.run('teamMessenger.inviteTeammate');
    assert.deepEqual(client.invitesAsked, []);
    assert.deepEqual(fakes.clipboard, []);
  });

  it("the status bar's Copy Invite makes the usual invite without asking", async () => {
    const fakes = new Fakes();
    const client = fakeClient();
    registerCommands(context({ client, state: 'connected', server: 'chat.example.com:9999' }).c, fakes.ports());
    await fakes.run('teamMessenger.inviteTeammate', 'default');
    assert.deepEqual(fakes.quickPicks, []);
    assert.deepEqual(client.invitesAsked, [{ uses: 1, ttlMs: 7 * DAY_MS }]);
    assert.equal(fakes.clipboard.length, 1);
  });

  it("the relay's refusal is shown as inert text", async () => {
    const fakes = new Fakes();
    const client = fakeClient();
    client.invites.create = async () => {
      throw new TeamMessengerError(ErrorCode.RateLimited, 'slow down [now](command:evil) $(zap)');
    };
    registerCommands(context({ client, state: 'connected', server: 'chat.example.com:9999' }).c, fakes.ports());
    fakes.picks.push('One person');
    await fakes.run('teamMessenger.inviteTeammate');
    assert.equal(fakes.shown[0].level, 'error');
    assert.equal(fakes.shown[0].message, 'The relay did not make an invite: slow down [now](command:evil) $(zap)');
    assert.doesNotMatch(fakes.raw[0], /\]\(|command:|\$\(/);
    assert.deepEqual(fakes.clipboard, []);
  });

  it('Start Local Relay offers Invite Teammate… on its notification; the status bar menu offers Copy Invite once connected', async () => {
    const fakes = new Fakes();
    const { c, messenger } = context({ client: fakeClient() });
    registerCommands(c, fakes.ports());
    fakes.answers.push('Invite Teammate…');
    await fakes.run('teamMessenger.startLocalRelay');
    await settle();
    assert.deepEqual(fakes.shown[0].items, ['Invite Teammate…', 'Copy Address and Secret', 'Keep It Running']);
    assert.deepEqual(fakes.executed, ['teamMessenger.inviteTeammate']);
    assert.equal(messenger.connectionState, 'connected');
    fakes.picks.push('Copy Invite');
    await fakes.run('teamMessenger.showActions');
    assert.ok(fakes.quickPicks[0].includes('$(person-add) Copy Invite'));
    assert.deepEqual(fakes.executedArgs.at(-1), ['default']);
    assert.equal(fakes.executed.at(-1), 'teamMessenger.inviteTeammate');
  });
});

describe('invite text (pure)', () => {
  it("uses the hosting addresses only for this window's own relay", () => {
    const hosting = { port: 4242, addresses: ['192.0.2.7:4242', '10.0.0.2:4242'] };
    assert.deepEqual(inviteAddresses('127.0.0.1:4242', hosting), ['192.0.2.7:4242', '10.0.0.2:4242']);
    assert.deepEqual(inviteAddresses('chat.example.com:9999', hosting), ['chat.example.com:9999']);
    assert.deepEqual(inviteAddresses('127.0.0.1:4242', undefined), ['127.0.0.1:4242']);
  });

  it('carries only a whole SHA-256 fingerprint', () => {
    assert.equal(inviteFingerprint(FINGERPRINT.toLowerCase()), FINGERPRINT);
    assert.equal(inviteFingerprint('AB:CD'), undefined);
    assert.equal(inviteFingerprint(undefined), undefined);
  });

  it('reads lifetimes and counts as the CLI does', () => {
    assert.equal(parseTtl('30m'), 30 * 60_000);
    assert.equal(parseTtl('7d'), 7 * DAY_MS);
    assert.equal(typeof parseTtl('0m'), 'string');
    assert.equal(typeof parseTtl('a week'), 'string');
    assert.equal(parseUses('100'), 100);
    assert.equal(typeof parseUses('101'), 'string');
    assert.equal(typeof parseUses('2.5'), 'string');
  });

  it('Keep It Running: the setting is turned on and the same relay starts again as its own process, reconnected', async () => {
    const fakes = new Fakes();
    const { c, calls } = context({ client: fakeClient() });
    registerCommands(c, fakes.ports());
    fakes.answers.push('Keep It Running');
    await fakes.run('teamMessenger.startLocalRelay');
    await settle();
    assert.match(
      String(fakes.shown[0].message),
      /It runs in this window: closing VS Code stops it for the team until you open VS Code again, unless you keep it running on its own\./,
    );
    assert.deepEqual(fakes.settingUpdates, ['relay.keepRunning=true']);
    assert.deepEqual(calls, ['relay start', 'connect 127.0.0.1:4242 pin AB:CD', 'relay stop (kept)', 'relay start', 'connect 127.0.0.1:4242 pin AB:CD']);
  });
});
