import { strict as assert } from 'node:assert';
import { describeFailure } from '../../../src/model/connectionFailure';
import { describeConnection } from '../../../src/model/connectionText';
import { ErrorCode, TeamMessengerError } from '../../../src/net/protocol/errors';
import { createClient, freePort, rejectsWithCode, useCleanup } from '../helpers/loopback';

const error = (code: string, message: string) => new TeamMessengerError(code as ErrorCode, message);

describe('connection failures in plain words', function () {
  const cleanup = useCleanup();

  it('a port nothing listens on: connection refused (from a real client)', async function () {
    const port = await freePort();
    const client = createClient(cleanup, port, { name: 'alice', retryFirstConnect: false });
    const err = await rejectsWithCode(client.connect(), ErrorCode.Unreachable, 'a refused connection');
    const failure = describeFailure(err, `127.0.0.1:${port}`);
    assert.equal(failure.text, `Cannot reach 127.0.0.1:${port} — connection refused (nothing listens on that port)`);
    assert.equal(failure.summary, `can't reach 127.0.0.1:${port}`);
    assert.equal(failure.code, 'UNREACHABLE');
  });

  it('an unknown host: host not found (from a real client)', async function () {
    const client = createClient(cleanup, 9999, { name: 'alice', host: 'no-such-host.invalid', retryFirstConnect: false });
    const err = await rejectsWithCode(client.connect(), ErrorCode.Unreachable, 'an unknown host');
    // Offline machines answer EAI_AGAIN instead of ENOTFOUND: host not found either way.
    assert.match(describeFailure(err, 'no-such-host.invalid:9999').text, /^Cannot reach no-such-host\.invalid:9999 — host not found \(/);
  });

  it('each cause the dialer and the relay give', function () {
    const cases: [TeamMessengerError, string][] = [
      [error('UNREACHABLE', 'cannot reach the relay at h:1: ETIMEDOUT'), 'Cannot reach h:1 — timed out (no answer: a firewall, or the wrong address?)'],
      [error('UNREACHABLE', 'no answer from the relay at h:1 within 10000 ms'), 'Cannot reach h:1 — timed out (no answer within 10 s)'],
      [
        error(
          'UNREACHABLE',
          'no answer from the relay at h:1 within 10000 ms; it accepted the connection but sent nothing, as a TLS relay does to a plain client: connect with TLS',
        ),
        'Cannot reach h:1 — timed out (no answer within 10 s; it may be a TLS relay: turn off teamMessenger.plainTcp)',
      ],
      [
        error('UNREACHABLE', 'the relay at h:1 does not speak TLS (is it a plain relay?)'),
        'Cannot reach h:1 — it does not speak TLS (a plain relay? then turn on teamMessenger.plainTcp)',
      ],
      [error('UNREACHABLE', 'cannot reach the relay at h:1: EHOSTUNREACH'), 'Cannot reach h:1 — no route to that host (is it on this network?)'],
      [error('UNREACHABLE', 'cannot reach the relay at h:1: ESOMETHINGNEW'), 'Cannot reach h:1 — ESOMETHINGNEW'],
      [
        error('TLS_FINGERPRINT_MISMATCH', "the relay's certificate changed: pinned AA, presented BB. If …"),
        "Not connected to h:1 — the relay's certificate changed: it may have a new one, or someone may be intercepting the connection",
      ],
      [
        error('TLS_UNTRUSTED', "the relay's certificate (AB:CD) was not trusted"),
        "Not connected to h:1 — its certificate is not trusted (the relay's certificate (AB:CD) was not trusted)",
      ],
      [error('AUTH_FAILED', 'wrong team secret'), 'The relay at h:1 refused to let you in — wrong team secret'],
      [error('INVITE_INVALID', 'this invite was already used'), 'The relay at h:1 did not take the invite — this invite was already used'],
      [error('CONNECTION_LOST', 'connection to the relay failed: ECONNRESET'), 'Lost the connection to h:1 — the connection was reset by the other side'],
      [error('SERVER_SHUTDOWN', 'the relay is shutting down: maintenance'), 'The relay at h:1 shut down — maintenance'],
      [new TeamMessengerError(ErrorCode.HandshakeTimeout, 'x'), 'No answer from h:1 — the relay did not finish the login in time'],
      [new Error('"h:x" is not HOST:PORT') as TeamMessengerError, 'Cannot connect to h:1 — "h:x" is not HOST:PORT'],
    ];
    for (const [err, text] of cases) assert.equal(describeFailure(err, 'h:1').text, text, err.message);
  });

  it('the status bar says it where the user looks: text and tooltip, retrying or not', function () {
    const failure = describeFailure(error('UNREACHABLE', 'cannot reach the relay at 127.0.0.1:9: ECONNREFUSED'), '127.0.0.1:9');
    const retrying = describeConnection('reconnecting', { server: '127.0.0.1:9', failure });
    assert.equal(retrying.statusBar.text, "$(warning) Team Messenger: can't reach 127.0.0.1:9");
    assert.equal(
      retrying.statusBar.tooltip,
      'Team Messenger: Cannot reach 127.0.0.1:9 — connection refused (nothing listens on that port)\nStill trying in the background.\nClick to retry or change the address.',
    );
    assert.deepEqual(retrying.view, {
      state: 'reconnecting',
      text: 'Cannot reach 127.0.0.1:9 — connection refused (nothing listens on that port) · still trying',
    });

    const final = describeConnection('closed', { server: 'h:1', failure: describeFailure(error('AUTH_FAILED', 'wrong secret'), 'h:1') });
    assert.equal(final.statusBar.text, '$(error) Team Messenger: h:1 refused the login');
    assert.match(final.statusBar.tooltip, /^Team Messenger: The relay at h:1 refused to let you in — wrong secret$/m);
    assert.equal(
      describeConnection('connected', { server: 'h:1', failure }).statusBar.text,
      '$(comment-discussion) h:1 · 0 online',
      'connected: the failure is over',
    );
  });

  it('after Disconnect: where from, and how to come back', function () {
    const t = describeConnection('idle', { disconnectedFrom: '127.0.0.1:9999' });
    assert.equal(t.statusBar.text, '$(debug-disconnect) Team Messenger: offline');
    assert.equal(t.statusBar.tooltip, 'Team Messenger: disconnected from 127.0.0.1:9999\nClick to connect again.');
    assert.equal(t.view.text, 'Disconnected from 127.0.0.1:9999');
  });

  it('the relay cannot put icons or links in the status bar through its words', function () {
    const failure = describeFailure(error('AUTH_FAILED', 'see [docs](command:evil) $(zap)'), 'h:1');
    const t = describeConnection('closed', { server: 'h:1', failure });
    assert.doesNotMatch(t.statusBar.tooltip, /\]\(command:|\$\(zap\)/);
  });
});
