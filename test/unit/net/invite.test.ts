import * as crypto from 'node:crypto';
import { strict as assert } from 'node:assert';
import { formatAddressBlock, formatInvite, InviteLink, inviteUri, parseJoinText } from '../../../src/net/invite';
import { ErrorCode, TeamMessengerError } from '../../../src/net/protocol/errors';
import { Prng } from '../helpers/prng';

const NOW = 1_800_000_000_000;
const FP = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':');
const INVITE: InviteLink = {
  addresses: ['192.168.1.20:9999', '[fe80::1]:9999', 'alice-laptop.local:9999'],
  fingerprint: FP,
  token: 'abcdefghijkl.ABCDEFGHIJKLMNOPQRSTUVWXYZ012345',
  expiresAt: NOW + 3600_000,
  from: 'Alice Ä "the lead"',
};

function refusal(text: string, now = NOW): string {
  try {
    parseJoinText(text, now);
  } catch (err) {
    assert.ok(err instanceof TeamMessengerError);
    assert.equal(err.code, ErrorCode.InviteInvalid);
    return err.message;
  }
  assert.fail(`accepted ${JSON.stringify(text)}`);
}

describe('invite links', function () {
  it('round trips as text, as a vscode:// link, URI-encoded, and inside a pasted message', function () {
    const text = formatInvite(INVITE);
    assert.match(text, /^tm1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{8}$/);
    const uri = inviteUri(INVITE, 'vscode', 'team-messenger.team-messenger');
    assert.equal(uri, `vscode://team-messenger.team-messenger/join?invite=${text}`);
    for (const form of [text, uri, encodeURIComponent(uri), `Join us!\n\n${uri}\n\n— Alice`, `(${text}).`]) {
      assert.deepEqual(parseJoinText(form, NOW), { kind: 'invite', invite: INVITE }, form);
    }
  });

  it('tells a damaged copy, an expired invite and text without an invite apart', function () {
    const text = formatInvite(INVITE);
    assert.match(refusal(text.slice(0, -3)), /damaged or incomplete/);
    assert.match(refusal(text.slice(0, 40)), /damaged or incomplete/);
    const body = text.split('.')[1];
    const changed = text.replace(body, body.slice(0, 10) + (body[10] === 'A' ? 'B' : 'A') + body.slice(11));
    assert.match(refusal(changed), /damaged or incomplete/, 'one character changed');
    assert.equal(refusal(text, INVITE.expiresAt), `this invite expired on ${new Date(INVITE.expiresAt).toISOString()}; ask for a new one`);
    assert.match(refusal('hello there'), /no Team Messenger invite in this text/);
    assert.match(refusal(''), /no Team Messenger invite/);
  });

  it('refuses a well-formed payload that is not an invite (a forged check does not make it one)', function () {
    const forge = (payload: unknown) => {
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      // Recompute the check as formatInvite does, so only the payload is wrong.
      const real = formatInvite(INVITE).split('.');
      return formatInvite(INVITE).replace(real[1], body).replace(real[2], checkOf(body));
    };
    const good = { v: 1, a: INVITE.addresses, f: FP, t: INVITE.token, x: INVITE.expiresAt };
    assert.deepEqual(parseJoinText(forge(good), NOW).kind, 'invite');
    for (const bad of [
      { ...good, v: 2 },
      { ...good, a: [] },
      { ...good, a: ['no-port'] },
      { ...good, a: ['javascript:alert(1)'] },
      { ...good, f: 'not a fingerprint' },
      { ...good, t: 'short' },
      { ...good, x: 'soon' },
      [good],
    ]) {
      assert.match(refusal(forge(bad)), /not one this version of Team Messenger understands/, JSON.stringify(bad));
    }
  });

  it('reads the address block the local relay copies', function () {
    const block = formatAddressBlock('192.168.1.20:9999', 's3cret-words', FP);
    assert.deepEqual(parseJoinText(block, NOW), { kind: 'address', server: '192.168.1.20:9999', secret: 's3cret-words', fingerprint: FP });
    assert.deepEqual(parseJoinText(block.toLowerCase().replace('team messenger relay', 'Team Messenger relay'), NOW).kind, 'address');
  });

  it('never throws anything but INVITE_INVALID on 2,000 seeded random mutations of a link', function () {
    const prng = new Prng(24);
    const text = inviteUri(INVITE, 'vscode', 'team-messenger.team-messenger');
    for (let i = 0; i < 2000; i++) {
      const chars = [...text];
      for (let k = prng.int(1, 4); k > 0; k--) chars[prng.int(0, chars.length - 1)] = String.fromCharCode(prng.int(0, 0x2fff));
      try {
        const parsed = parseJoinText(chars.join(''), NOW);
        if (parsed.kind === 'invite') assert.deepEqual(parsed.invite, INVITE, 'a mutation that parses changed nothing that matters');
      } catch (err) {
        assert.equal((err as TeamMessengerError).code, ErrorCode.InviteInvalid, String(err));
      }
    }
  });
});

function checkOf(body: string): string {
  return crypto.createHash('sha256').update(body).digest('base64url').slice(0, 8);
}
