import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliFixture, jsonLines } from '../helpers/cliProcess';

/**
 * `send --file`: a message and the files offered to each person named, waiting like send-file;
 * the offers recorded in each conversation, printed by `listen` and `history`, found by `search
 * has:file`. Child processes against a real relay.
 */
describe('CLI: send --file, and offers recorded as messages', function () {
  this.timeout(60_000);
  const fx = new CliFixture();
  afterEach(() => fx.cleanup());

  it('sends the text, offers the file to each person, exits 0 once both verified it; listen, history and search show the offer', async () => {
    const { env, common, as } = await fx.team();
    const src = fx.tempDir();
    const report = path.join(src, 'report.txt');
    fs.writeFileSync(report, 'the quarterly numbers\n');
    const inboxes = { bob: fx.tempDir(), carol: fx.tempDir() };
    const listeners = {
      bob: fx.start(['listen', ...common, '--name', 'bob', '--json', '--accept-files', inboxes.bob], env),
      carol: fx.start(['listen', ...common, '--name', 'carol', '--accept-files', inboxes.carol], env),
    };
    await listeners.bob.waitForEvent('connected');
    await listeners.carol.waitFor('carol connected', () => /connected to/.test(listeners.carol.stdout));

    const sent = await as('ci', ['send', '--to', 'bob,carol', '--file', report, '--json', 'here are the numbers']);
    assert.equal(sent.code, 0, sent.stderr);
    const events = jsonLines(sent.stdout);
    assert.equal(events[0].type, 'ack');
    assert.equal(events[0].reached, 2);
    assert.deepEqual(
      events
        .filter((e) => e.type === 'file-sent')
        .map((e) => e.to)
        .sort(),
      ['bob', 'carol'],
    );
    assert.deepEqual(events[events.length - 1], { type: 'done', files: 1, people: 2 });
    for (const inbox of Object.values(inboxes)) assert.equal(fs.readFileSync(path.join(inbox, 'report.txt'), 'utf8'), 'the quarterly numbers\n');

    const text = await listeners.bob.waitForEvent('message', (e) => e.text === 'here are the numbers');
    assert.equal(text.from, 'ci');
    const record = await listeners.bob.waitForEvent('message', (e) => Array.isArray(e.files));
    assert.deepEqual(record.files, [{ name: 'report.txt', size: 22 }]);
    assert.equal(record.text, '');
    await listeners.carol.waitFor('the offer printed', () => /ci → carol: offered report\.txt \(22 bytes\)/.test(listeners.carol.stdout));

    const found = await as('bob', ['search', 'has:file', '--json']);
    assert.equal(found.code, 0, found.stderr);
    const hits = jsonLines(found.stdout).filter((l) => l.type === 'hit');
    assert.deepEqual(
      hits.map((h) => [h.from, h.files]),
      [['ci', [{ name: 'report.txt', size: 22 }]]],
      "bob finds the offer to him, not carol's",
    );
    // The text went to the three of them; each offer is recorded between the sender and one person.
    const history = await as('carol', ['history', '--to', 'ci']);
    assert.equal(history.code, 0, history.stderr);
    assert.match(history.stdout, /^\S+ \S+ ci: offered report\.txt \(22 bytes\) {2}\[id [^\]]+\]\n$/);
    const group = await as('carol', ['history', '--to', 'ci,bob']);
    assert.match(group.stdout, /ci: here are the numbers/);
  });

  it('offers files without text, and exits 6 when someone declines', async () => {
    const { env, common, as } = await fx.team();
    const src = fx.tempDir();
    fs.writeFileSync(path.join(src, 'a.bin'), Buffer.alloc(1000, 7));
    const bob = fx.start(['listen', ...common, '--name', 'bob', '--json'], env);
    await bob.waitForEvent('connected');
    const sent = await as('ci', ['send', '--to', 'bob', '--file', path.join(src, 'a.bin')]);
    assert.equal(sent.code, 6, sent.stderr);
    assert.match(sent.stderr, /declined/);
    assert.equal(sent.stdout, '', 'no message was sent: there was no text');
    await bob.waitForEvent('file-offer', (e) => e.accepted === false);
    assert.equal(bob.events.filter((e) => e.type === 'message' && e.text !== '').length, 0);
  });

  it('refuses --file without --to, and a path that does not exist, before connecting (exit 2)', async () => {
    const { as } = await fx.team();
    const src = fx.tempDir();
    fs.writeFileSync(path.join(src, 'x.txt'), 'x');
    const cases: [string[], RegExp][] = [
      [['send', '--channel', 'general', '--file', path.join(src, 'x.txt'), 'hi'], /--file needs --to/],
      [['send', '--all', '--file', path.join(src, 'x.txt')], /--file needs --to/],
      [['send', '--to', 'bob', '--file', path.join(src, 'missing.txt'), 'hi'], /missing\.txt/],
    ];
    for (const [args, said] of cases) {
      const result = await as('ci', args);
      assert.equal(result.code, 2, `${args.join(' ')} → ${result.code}\n${result.stderr}`);
      assert.match(result.stderr, said);
    }
  });
});
