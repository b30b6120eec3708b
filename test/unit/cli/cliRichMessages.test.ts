import { strict as assert } from 'node:assert';
import type { Attachment } from '../../../src/net/protocol/richMessages';
import { CliFixture, runCli } from '../helpers/cliProcess';
import { connectClient, useCleanup, withTimeout } from '../helpers/loopback';

/**
 * Issue 27 in the command-line tool, as child processes against a real relay: `send --mention`
 * and `--urgent`, `listen` printing markdown as readable text with the urgency and attachments,
 * `listen --json` carrying mentions, urgency and attachments (without the thumbnail's bytes).
 */
describe('CLI: mentions, urgency, attachments and markdown', function () {
  this.timeout(60_000);
  const fx = new CliFixture();
  const cleanup = useCleanup();
  afterEach(() => fx.cleanup());

  it('sends --mention and --urgent; listen shows markdown as text, --json the mentions by name and id', async () => {
    const { env, common } = await fx.team({ relayArgs: ['--plain'], clientArgs: ['--plain'] });
    const json = fx.start(['listen', ...common, '--name', 'bob', '--json'], env);
    await json.waitForEvent('connected');
    const words = fx.start(['listen', ...common, '--name', 'carol'], env);
    await words.waitFor('carol to connect', () => words.stdout.includes('connected to'));

    const text = '**Deploy** failed, see [the log](https://ci.example/42):\n\n```\nexit 1\n```';
    const sent = await runCli(['send', ...common, '--name', 'ci', '--all', '--mention', '@bob', '--mention', 'here,bob', '--urgent', text], env);
    assert.equal(sent.code, 0, sent.stderr);
    const message = await json.waitForEvent('message', (e) => e.text === text);
    const bobId = (await json.waitForEvent('connected')).clientId;
    assert.deepEqual([message.mentions, message.mentionIds, message.urgent], [['bob', 'here'], [bobId, 'here'], true]);

    const line = await words.waitFor('the message in words', () => words.stdout.split('\n').find((l) => l.includes('Deploy')));
    assert.match(line, /ci → everyone: \[urgent\] Deploy failed, see the log \(https:\/\/ci\.example\/42\):$/);
    assert.match(words.stdout, /:\n\n {4}exit 1\n/, 'the code block indented, after a blank line');
    assert.doesNotMatch(words.stdout, /\*\*|```/);

    const unknown = await runCli(['send', ...common, '--name', 'ci', '--all', '--mention', 'nobody-here', 'hi'], env);
    assert.equal(unknown.code, 5, unknown.stderr);
    const bare = await runCli(['send', ...common, '--name', 'ci', '--to', 'bob', '--mention', 'bob'], env);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /message text is missing/);
  });

  it('listen shows attachments; --json lists them without the thumbnail', async () => {
    const { env, port, common } = await fx.team({ relayArgs: ['--plain'], clientArgs: ['--plain'] });
    const json = fx.start(['listen', ...common, '--name', 'bob', '--json'], env);
    const words = fx.start(['listen', ...common, '--name', 'carol'], env);
    await json.waitForEvent('connected');
    await words.waitFor('carol to connect', () => words.stdout.includes('connected to'));
    const image: Attachment = {
      id: 'shot',
      kind: 'image',
      name: 'shot.png',
      size: 48213,
      mime: 'image/png',
      sha256: 'ab'.repeat(32),
      width: 1280,
      height: 720,
      thumb: 'AAAA',
      thumbMime: 'image/png',
    };
    const report: Attachment = { id: 'doc', kind: 'file', name: 'report.pdf', size: 1, mime: 'application/pdf', sha256: 'cd'.repeat(32) };
    const alice = await connectClient(cleanup, port, { name: 'alice', secret: 'team-secret' });
    await withTimeout(alice.send('all', 'two things', { attachments: [image, report] }), 'the ack');

    const message = await json.waitForEvent('message', (e) => e.text === 'two things');
    const { thumb: _thumb, thumbMime: _mime, ...withoutThumb } = image;
    assert.deepEqual(message.attachments, [{ ...withoutThumb, thumb: true }, report]);
    const line = await words.waitFor('the message in words', () => words.stdout.split('\n').find((l) => l.includes('two things')));
    assert.match(line, /alice → everyone: two things · attached: shot\.png \(image, 1280×720, 48213 bytes\), report\.pdf \(file, 1 byte\)$/);

    await withTimeout(alice.send('all', '', { attachments: [report] }), 'the ack of a file alone');
    const alone = await words.waitFor('the file alone in words', () =>
      words.stdout.split('\n').find((l) => l.includes('report.pdf') && !l.includes('two things')),
    );
    assert.match(alone, /alice → everyone: attached: report\.pdf \(file, 1 byte\)$/);
  });
});
