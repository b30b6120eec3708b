import { strict as assert } from 'node:assert';
import { registerCommands } from '../../../src/extension/commands';
import { inviteClipboardText } from '../../../src/extension/inviteText';
import { joinTextOnOneLine, readJoinText } from '../../../src/extension/joinFlow';
import { formatAddressBlock, formatInvite, InviteLink } from '../../../src/net/invite';
import { ErrorCode, TeamMessengerError } from '../../../src/net/protocol/errors';
import { context, ContextOverrides, Fakes, FINGERPRINT, TOKEN } from './commandFakes';

const HOUR_MS = 3600_000;

function invite(overrides: Partial<InviteLink> = {}): InviteLink {
  return { addresses: ['192.0.2.7:4242'], fingerprint: FINGERPRINT, token: TOKEN, expiresAt: Date.now() + HOUR_MS, from: 'alice', ...overrides };
}

function setup(overrides: ContextOverrides = {}) {
  const fakes = new Fakes();
  const ctx = context(overrides);
  registerCommands(ctx.c, fakes.ports());
  return { fakes, ...ctx };
}

/** What a person sees of an input box holding `text`: one line (the browser drops line breaks). */
const oneLine = (text: string) => text.replace(/\r?\n/g, '');

describe('joining with an invite (the link handler, Paste Invite…)', () => {
  it('connects with the token and the pinned fingerprint, then sets the server, opens the Peers view and chat, and says who invited', async () => {
    const { fakes, connected } = setup();
    fakes.settings.server = 'old.example:9999';
    await fakes.run('teamMessenger.joinInvite', formatInvite(invite()));
    assert.deepEqual(connected, [{ server: '192.0.2.7:4242', options: { invite: TOKEN, fingerprint: FINGERPRINT, failFast: true } }]);
    assert.deepEqual(fakes.settingUpdates, ['server=192.0.2.7:4242']);
    assert.deepEqual(fakes.executed, ['teamMessenger.peers.focus']);
    assert.deepEqual(fakes.chats, [undefined]);
    assert.deepEqual(fakes.progressTitles, ['Joining the team at 192.0.2.7:4242…']);
    assert.deepEqual(
      fakes.shown.map((s) => [s.level, s.message]),
      [['info', 'Joined the team at 192.0.2.7:4242 (invited by alice).']],
    );
  });

  it('tries the next address when one cannot be reached, and keeps the one that worked', async () => {
    const { fakes, calls } = setup({
      connect: async (server) => {
        if (server === '192.0.2.7:4242') throw new TeamMessengerError(ErrorCode.Unreachable, 'cannot reach the relay at 192.0.2.7:4242: ETIMEDOUT');
      },
    });
    await fakes.run('teamMessenger.joinInvite', formatInvite(invite({ addresses: ['192.0.2.7:4242', '10.0.0.2:4242'] })));
    assert.deepEqual(calls, ['connect 192.0.2.7:4242 invite fingerprint', 'connect 10.0.0.2:4242 invite fingerprint']);
    assert.equal(fakes.settings.server, '10.0.0.2:4242');
  });

  it("a refused invite leaves the settings alone, goes back to the previous relay, and shows the relay's words as inert text", async () => {
    const hostile = 'this invite was already used; ask [bob](command:evil) $(zap)';
    const { fakes, calls } = setup({
      state: 'connected',
      server: 'old.example:9999',
      connect: async (server) => {
        if (server !== 'old.example:9999') throw new TeamMessengerError(ErrorCode.InviteInvalid, hostile);
      },
    });
    fakes.settings.server = 'old.example:9999';
    fakes.answers.push('Join');
    await fakes.run('teamMessenger.joinInvite', formatInvite(invite({ addresses: ['192.0.2.7:4242', '10.0.0.2:4242'] })));
    assert.deepEqual(calls, ['connect 192.0.2.7:4242 invite fingerprint', 'connect old.example:9999'], 'a refusal is not retried elsewhere');
    assert.deepEqual(fakes.settingUpdates, []);
    assert.equal(fakes.settings.server, 'old.example:9999');
    const error = fakes.shown.at(-1);
    assert.equal(error?.level, 'error');
    assert.equal(error?.message, `Could not join the team: ${hostile}.`);
    assert.doesNotMatch(fakes.raw.at(-1) ?? '', /\]\(|command:|\$\(/);
  });

  it('asks once, in a modal, before leaving another relay; No leaves everything as it was', async () => {
    const { fakes, calls } = setup({ state: 'connected', server: 'old.example:9999' });
    await fakes.run('teamMessenger.joinInvite', formatInvite(invite()));
    assert.equal(fakes.shown.length, 1);
    assert.deepEqual(fakes.shown[0], {
      level: 'warning',
      message: 'Join the team at 192.0.2.7:4242 (invited by alice)?',
      items: ['Join'],
      modal: true,
      detail: 'This window is connected to old.example:9999 and will leave it.',
    });
    assert.deepEqual(calls, []);
    assert.deepEqual(fakes.settingUpdates, []);
  });

  it('already on that relay: says so and opens the chat', async () => {
    const { fakes, calls } = setup({ state: 'connected', server: '192.0.2.7:4242' });
    await fakes.run('teamMessenger.joinInvite', formatInvite(invite()));
    assert.deepEqual(calls, []);
    assert.deepEqual(
      fakes.shown.map((s) => s.message),
      ['Already connected to the team at 192.0.2.7:4242.'],
    );
    assert.deepEqual(fakes.chats, [undefined]);
  });

  for (const [name, text, expected] of [
    ['an expired invite', formatInvite(invite({ expiresAt: Date.now() - 1000 })), /^Could not join the team: this invite expired on .+; ask for a new one\.$/],
    ['a damaged invite', formatInvite(invite()).slice(0, -3), /^Could not join the team: this invite is damaged or incomplete/],
    [
      'a link without an invite',
      'vscode://team-messenger.team-messenger/join?invite=',
      /^Could not join the team: there is no Team Messenger invite in this text/,
    ],
  ] as const) {
    it(`${name}: says what is wrong, connects nowhere`, async () => {
      const { fakes, calls } = setup();
      await fakes.run('teamMessenger.joinInvite', text);
      assert.deepEqual(calls, []);
      assert.equal(fakes.shown.length, 1);
      assert.equal(fakes.shown[0].level, 'error');
      assert.match(fakes.shown[0].message, expected);
      assert.doesNotMatch(fakes.shown[0].message, /\d{4}-\d{2}-\d{2}T/, 'times in local time, not ISO');
      assert.deepEqual(fakes.shown[0].items, ['Paste Invite…'], 'a way to paste the new invite asked for');
    });
  }

  it("the inviter's name is shown as inert text", async () => {
    const { fakes } = setup();
    await fakes.run('teamMessenger.joinInvite', formatInvite(invite({ from: '[eve](command:evil) $(zap)' })));
    assert.equal(fakes.shown[0].message, 'Joined the team at 192.0.2.7:4242 (invited by [eve](command:evil) $(zap)).');
    assert.doesNotMatch(fakes.raw[0], /\]\(|command:|\$\(/);
  });
});

describe('Paste Invite…', () => {
  it('is prefilled with the invite on the clipboard, on one line, and joins with it', async () => {
    const { fakes, connected } = setup();
    const copied = inviteClipboardText(invite(), 'vscode');
    fakes.clipboardText = copied;
    fakes.inputs.push(oneLine(copied));
    await fakes.run('teamMessenger.pasteInvite');
    assert.equal(fakes.inputBoxes[0].value, copied.split('\n')[0]);
    assert.equal(connected[0].options.invite, TOKEN);
    assert.equal(fakes.settings.server, '192.0.2.7:4242');
  });

  it('takes the address block a hosting window copies: the address, secret and fingerprint, kept once connected', async () => {
    const { fakes, connected, calls } = setup();
    const block = formatAddressBlock('192.0.2.7:4242', 's3cret-from-block', FINGERPRINT);
    fakes.clipboardText = block;
    fakes.inputs.push(oneLine(block));
    await fakes.run('teamMessenger.pasteInvite');
    assert.equal(fakes.inputBoxes[0].value, block.replace(/\n/g, ' '));
    assert.deepEqual(connected, [{ server: '192.0.2.7:4242', options: { secret: 's3cret-from-block', fingerprint: FINGERPRINT, failFast: true } }]);
    assert.deepEqual(calls, ['connect 192.0.2.7:4242 secret s3cret-from-block fingerprint'], 'the connection keeps the secret once it worked');
    assert.equal(fakes.settings.server, '192.0.2.7:4242');
  });

  it('is empty when the clipboard holds something else, and says what it wants for junk', async () => {
    const { fakes, calls } = setup();
    fakes.clipboardText = 'lunch at noon?';
    await fakes.run('teamMessenger.pasteInvite');
    const box = fakes.inputBoxes[0];
    assert.equal(box.value, '');
    assert.match(String(box.validateInput?.('hello')), /there is no Team Messenger invite in this text/);
    assert.equal(box.validateInput?.(formatInvite(invite())), undefined);
    assert.match(String(box.validateInput?.(formatInvite(invite({ expiresAt: Date.now() - 1 })))), /expired/);
    assert.deepEqual(calls, []);
  });
});

describe('reading what was pasted into a one-line box', () => {
  it('finds the invite in the link and tm1. line run together', () => {
    const link = invite();
    const parsed = readJoinText(oneLine(inviteClipboardText(link, 'vscode')));
    assert.deepEqual(parsed, { kind: 'invite', invite: link });
  });

  it('reads the address block with its line breaks dropped', () => {
    assert.deepEqual(readJoinText(oneLine(formatAddressBlock('[::1]:9999', 'abc', FINGERPRINT))), {
      kind: 'address',
      server: '[::1]:9999',
      secret: 'abc',
      fingerprint: FINGERPRINT,
    });
  });

  it('prefills only an invite or an address block', () => {
    assert.equal(joinTextOnOneLine('hello'), undefined);
    assert.equal(joinTextOnOneLine('x'.repeat(20_000)), undefined);
    const expired = formatInvite(invite({ expiresAt: Date.now() - 1 }));
    assert.equal(joinTextOnOneLine(`see\n${expired}\n`), expired, 'an expired invite is shown, so the box can say it expired');
  });
});
