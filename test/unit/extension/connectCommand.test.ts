import { strict as assert } from 'node:assert';
import { registerCommands } from '../../../src/extension/commands';
import { readConnectText } from '../../../src/extension/connectCommand';
import { describeFailure } from '../../../src/model/connectionFailure';
import { Superseded } from '../../../src/model/connectionMachine';
import { ErrorCode, TeamMessengerError } from '../../../src/net/protocol/errors';
import { loadRecentRelays, MAX_RECENT_RELAYS, RECENT_RELAYS, RECENT_RELAYS_KEY, rememberRelay } from '../../../src/extension/savedRelays';
import { SavedState } from '../../../src/model/savedState';
import { formatAddressBlock, formatInvite } from '../../../src/net/invite';
import { assertDiscarded, CORRUPT, MemoryState } from '../helpers/savedState';
import { LogCapture } from '../helpers/security';
import { context, ContextOverrides, Fakes, FINGERPRINT, TOKEN } from './commandFakes';

function setup(overrides: ContextOverrides = {}) {
  const fakes = new Fakes();
  const ctx = context(overrides);
  registerCommands(ctx.c, fakes.ports());
  return { fakes, ...ctx };
}

const INVITE = formatInvite({ addresses: ['192.0.2.7:4242'], fingerprint: FINGERPRINT, token: TOKEN, expiresAt: Date.now() + 3600_000 });

describe('Connect to Relay…: recent relays, and whatever the app copies', () => {
  it('offers the recent relays first; picking one connects to it, and the setting follows once connected', async () => {
    const { fakes, calls, connected } = setup({ recent: ['chat.example:9999', '10.0.0.2:4242'], secret: 'x' });
    fakes.picks.push('10.0.0.2:4242');
    await fakes.run('teamMessenger.connect');
    assert.deepEqual(fakes.quickPicks, [['$(remote) chat.example:9999', '$(remote) 10.0.0.2:4242', '$(edit) Enter another address…']]);
    assert.deepEqual(fakes.inputBoxes, []);
    assert.deepEqual(calls, ['connect 10.0.0.2:4242']);
    // The ConnectionManager writes teamMessenger.server once the relay let the user in, never before:
    // the command itself leaves it alone (a mistyped address keeps a working one).
    assert.deepEqual(connected[0].options, { saveServer: true, interactive: true });
    assert.deepEqual(fakes.settingUpdates, []);
  });

  it('an address typed while connected there says so instead of connecting again', async () => {
    const { fakes, calls } = setup({ state: 'connected', server: 'chat.example:9999' });
    fakes.inputs.push('chat.example:9999');
    await fakes.run('teamMessenger.connect');
    assert.deepEqual(calls, []);
    assert.deepEqual(
      fakes.shown.map((s) => s.message),
      ['Already connected to chat.example:9999.'],
    );
  });

  it('Change Address… after a failure goes straight to the box, holding the address to correct', async () => {
    const failure = describeFailure(
      new TeamMessengerError(ErrorCode.Unreachable, 'cannot reach the relay at chat.exmaple:9999: ENOTFOUND'),
      'chat.exmaple:9999',
    );
    const { fakes, connected } = setup({ recent: ['chat.example:9999'], failure, secret: 'x' });
    fakes.settings.server = 'chat.example:9999';
    fakes.inputs.push('chat.example:9999');
    await fakes.run('teamMessenger.connect');
    assert.deepEqual(fakes.quickPicks, []);
    assert.equal(fakes.inputBoxes[0].value, 'chat.exmaple:9999');
    assert.equal(connected[0].server, 'chat.example:9999');
  });

  it('a connection replaced by a newer request ends quietly', async () => {
    const { fakes } = setup({ secret: 'x', connect: () => Promise.reject(new Superseded('a:1')) });
    fakes.inputs.push('a:1');
    await fakes.run('teamMessenger.connect');
    assert.deepEqual(fakes.shown, []);
  });

  it('the status bar menu offers Retry and Change Address… with the reason while the relay cannot be used', async () => {
    const failure = describeFailure(new TeamMessengerError(ErrorCode.Unreachable, 'cannot reach the relay at h:9: ECONNREFUSED'), 'h:9');
    const { fakes } = setup({ state: 'reconnecting', server: 'h:9', failure });
    fakes.picks.push('Retry');
    await fakes.run('teamMessenger.showActions');
    assert.deepEqual(fakes.quickPicks[0].slice(0, 4), [
      '$(refresh) Retry',
      '$(edit) Change Address…',
      '$(comment-discussion) Open Chat',
      '$(debug-disconnect) Disconnect',
    ]);
    assert.deepEqual(fakes.executed, ['teamMessenger.retryConnect']);
  });

  it('Retry asks the ConnectionManager to try again now', async () => {
    const { fakes, calls } = setup({ state: 'reconnecting', server: 'h:9' });
    await fakes.run('teamMessenger.retryConnect');
    assert.deepEqual(calls, ['retry']);
  });

  it('"Enter another address…" asks for it; cancelled, nothing changes', async () => {
    const { fakes, calls } = setup({ recent: ['chat.example:9999'] });
    fakes.picks.push('Enter another address');
    await fakes.run('teamMessenger.connect');
    assert.equal(fakes.inputBoxes.length, 1);
    assert.deepEqual(calls, []);
    assert.equal(fakes.settings.server, '');
  });

  it('an invite pasted into the box joins with it (no question: connecting was asked for)', async () => {
    const { fakes, connected } = setup({ state: 'connected', server: 'old.example:9999' });
    fakes.inputs.push(INVITE);
    await fakes.run('teamMessenger.connect');
    assert.deepEqual(connected, [{ server: '192.0.2.7:4242', options: { invite: TOKEN, fingerprint: FINGERPRINT, failFast: true } }]);
    assert.ok(!fakes.shown.some((s) => s.modal));
    assert.equal(fakes.settings.server, '192.0.2.7:4242');
  });

  it('an address block pasted into the box connects with its secret and fingerprint', async () => {
    const { fakes, connected } = setup();
    fakes.inputs.push(formatAddressBlock('192.0.2.7:4242', 'blocksecret', FINGERPRINT).replace(/\n/g, ''));
    await fakes.run('teamMessenger.connect');
    assert.deepEqual(connected[0], { server: '192.0.2.7:4242', options: { secret: 'blocksecret', fingerprint: FINGERPRINT, failFast: true } });
  });

  it('the box is prefilled from the clipboard when no server is set and it holds an invite', async () => {
    const { fakes } = setup();
    fakes.clipboardText = `join us:\n${INVITE}\n`;
    await fakes.run('teamMessenger.connect');
    assert.equal(fakes.inputBoxes[0].value, INVITE);
  });

  it('says what it takes when given junk', () => {
    assert.deepEqual(readConnectText(' chat.example:9999 '), { kind: 'server', server: 'chat.example:9999' });
    assert.deepEqual(readConnectText('[::1]:9999'), { kind: 'server', server: '[::1]:9999' });
    assert.deepEqual(
      readConnectText('relay1:9999, relay2:9999,[::1]'),
      { kind: 'server', server: 'relay1:9999, relay2:9999,[::1]' },
      'the relays of a cluster',
    );
    assert.throws(() => readConnectText('relay1:9999, not an address'), /Enter host:port/);
    assert.deepEqual(readConnectText('tm1.example.com:9999'), { kind: 'server', server: 'tm1.example.com:9999' }, 'a host that only starts like an invite');
    assert.throws(() => readConnectText('not an address at all'), /Enter host:port \(for example 192\.168\.1\.20:9999\), or paste the invite/);
    assert.throws(() => readConnectText(INVITE.slice(0, -2)), /this invite is damaged or incomplete/);
  });
});

describe('recent relays, kept through SavedState', () => {
  const restart = (state: MemoryState) => {
    const log = new LogCapture();
    return { log, saved: new SavedState(state, log) };
  };

  it('newest first, each once, at most a few', async () => {
    const state = new MemoryState();
    const { saved, log } = restart(state);
    for (let i = 0; i < 7; i++) await rememberRelay(saved, `relay${i}.example:9999`);
    await rememberRelay(saved, 'relay4.example:9999');
    await rememberRelay(saved, 'not an address');
    const recent = loadRecentRelays(restart(state).saved);
    assert.equal(recent.length, MAX_RECENT_RELAYS);
    assert.deepEqual(recent, ['relay4.example:9999', 'relay6.example:9999', 'relay5.example:9999', 'relay3.example:9999', 'relay2.example:9999']);
    assert.deepEqual(log.entries, []);
  });

  for (const [name, make] of CORRUPT) {
    it(`saved as ${name}: none offered, cleared, said once`, () => {
      const state = new MemoryState();
      state.values.set(RECENT_RELAYS_KEY, make());
      const { log, saved } = restart(state);
      assert.deepEqual(loadRecentRelays(saved), []);
      assertDiscarded(state, log, RECENT_RELAYS_KEY, RECENT_RELAYS.what);
    });
  }
});
